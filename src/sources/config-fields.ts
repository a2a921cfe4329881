/** Configuration keys every source type shares. */
import { z } from 'zod';
import { componentId } from '../util/config-fields';

export const maxRecordBytes = z
  .int()
  .min(64)
  .max(50 * 1024 * 1024)
  .default(1024 * 1024)
  .describe('Largest record (as JSON), in bytes; a larger one goes to the dead-letter topic instead of the records topic.');

export const sourceId = componentId.describe(
  'Unique source id: prefixes its record ids (`<id>:<upstream id>`) and names its cursor in ZooKeeper, its poller and its metrics. Renaming a source starts it over.',
);
