/** Configuration keys every sink type shares. */
import { boundedInt, componentId } from '../util/config-fields';

export const sinkId = componentId.describe(
  'Unique sink id: names the sink in logs, metrics (`sink` label), dead letters and `wharf replay --sink`.',
);

/** Limits every sink writer honours. */
export const writerLimits = {
  batchSize: boundedInt(1, 10_000, 500, 'Records per bulk request.'),
  maxDocumentBytes: boundedInt(1024, 100 * 1024 * 1024, 10 * 1024 * 1024, 'Largest document (as JSON), in bytes; a larger one goes to the dead-letter topic instead of being sent.'),
  maxAttempts: boundedInt(
    1,
    100,
    5,
    'Attempts for documents failing with retriable statuses (408, 429, 5xx) before the whole batch is given back, uncommitted, to be retried later.',
  ),
};
