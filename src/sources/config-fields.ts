/** Configuration keys every source type shares. */
import { z } from 'zod';
import { componentId } from '../util/config-fields';

export const maxRecordBytes = z
  .int()
  .min(64)
  .max(50 * 1024 * 1024)
  .default(1024 * 1024)
  .describe('Largest record (as JSON), in bytes; a larger one goes to the dead-letter topic instead of the records topic.');

export const versionField = z
  .string()
  .min(1)
  .optional()
  .describe(
    'The record field holding the upstream\'s own version of the record: a non-negative integer (or its decimal string) that grows with every change, such as a revision counter or an update time in ms. When set, it decides in every sink which write of a record is the newer, instead of the Kafka offset, so it also holds after partitions are added or the topic is recreated. A record without a valid one goes to the dead-letter topic.',
  );

export const deletedField = z
  .string()
  .min(1)
  .optional()
  .describe(
    'The record field that marks a deletion: a record whose field is `true` becomes a tombstone, which deletes the document in every sink. It is versioned like any write, so a deletion beats older writes of the record and loses to newer ones (docs/deletions.md).',
  );

export const sourceId = componentId.describe(
  'Unique source id: prefixes its record ids (`<id>:<upstream id>`) and names its cursor in ZooKeeper, its poller and its metrics. Renaming a source starts it over.',
);
