/**
 * The `kind` label of wharf_source_poll_errors_total: which server a failed poll points at. What
 * wharf does not recognise is `other`, never blamed on a server (it used to be filed under the
 * cursor store). The metric's help in src/metrics/catalog.ts lists these kinds.
 */
import { isZookeeperFailure } from '../coordination/zookeeper';
import { KafkaUnavailableError, MessageTooLargeError } from '../kafka/record-producer';
import { InvalidCursorError, SourceUnavailableError } from '../sources/source-adapter';

/** Every kind a poller emits; `cursor-conflict` is counted apart, when another instance moved the cursor. */
export const POLL_ERROR_KINDS = ['upstream', 'upstream-throttled', 'kafka', 'cursor-store', 'cursor-invalid', 'cursor-conflict', 'other'] as const;

export function pollErrorKind(err: unknown): (typeof POLL_ERROR_KINDS)[number] {
  if (err instanceof SourceUnavailableError) return err.retryAfterMs !== undefined ? 'upstream-throttled' : 'upstream';
  if (err instanceof KafkaUnavailableError || err instanceof MessageTooLargeError) return 'kafka';
  if (isZookeeperFailure(err)) return 'cursor-store';
  if (err instanceof InvalidCursorError) return 'cursor-invalid';
  return 'other';
}
