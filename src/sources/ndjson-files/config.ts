/** The `ndjson-files` source's configuration keys. */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { boundedInt, durationMs, idAndType } from '../../util/config-fields';
import { deletedField, maxRecordBytes, sourceId, versionField } from '../config-fields';

// Semantics (identity, rotation, ids) in source.ts.
export const NdjsonFilesSourceSchema = z
  .strictObject({
    ...idAndType(sourceId, 'ndjson-files', 'ndjson-files source'),
    path: z
      .string()
      .refine(isAbsolute, 'expected an absolute directory path')
      .describe('The directory to follow, an absolute path; its subdirectories are not read.'),
    pattern: z
      .string()
      .regex(/^[^/]+$/, 'expected a file-name glob without "/", e.g. "*.ndjson"')
      .default('*.ndjson')
      .describe('Which file names to read: `*` is any run of characters, `?` any one. Must match rotated names too.'),
    idField: z
      .string()
      .min(1)
      .optional()
      .describe('The record field holding its own id; without it, or in a record lacking it, the id is `<file key>:<byte offset>`, the key a fingerprint of the file\'s first line.'),
    intervalMs: durationMs(86_400_000).default(1000).describe('Pause, in ms, once every file has been read to its end, before looking again.'),
    maxRecordBytes: maxRecordBytes.describe(
      'Largest record, in bytes, and so the longest line read: a longer one is dead-lettered with its first KiB, never held whole in memory.',
    ),
    versionField,
    deletedField,
    maxBatchRecords: boundedInt(1, 100_000, 1000, 'Lines (records and malformed) per page, i.e. per Kafka send and cursor save.'),
    maxBatchBytes: boundedInt(1024, 256 * 1024 * 1024, 4 * 1024 * 1024, 'Bytes of lines per page; a page always takes at least one line.'),
    maxFiles: boundedInt(1, 5000, 1000, 'Files tracked at once; the cursor holds ~150 bytes per file and ZooKeeper\'s node limit is 1 MB.'),
  })
  .describe('Follows a directory of newline-delimited JSON files, like `tail -F` over a glob, through renames and copytruncate rotation.');

export type NdjsonFilesSourceConfig = z.output<typeof NdjsonFilesSourceSchema>;
