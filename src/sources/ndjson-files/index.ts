/** The `ndjson-files` source type. */
import { defineSource } from '../source-type';
import { NdjsonFilesSourceSchema } from './config';
import { NdjsonFilesSource } from './source';

export const ndjsonFilesSource = defineSource({
  type: 'ndjson-files',
  schema: NdjsonFilesSourceSchema,
  createAdapter: (config) => new NdjsonFilesSource(config),
});
