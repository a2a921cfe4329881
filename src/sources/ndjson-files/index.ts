/** The `ndjson-files` source type. */
import { defineSource } from '../source-type';
import type { NdjsonFilesSourceConfig } from './config';
import { cursorProblem } from './cursor';
import { NdjsonFilesSource } from './source';

export const ndjsonFilesSource = defineSource<NdjsonFilesSourceConfig>({
  createAdapter: (config) => new NdjsonFilesSource(config),
  cursorProblem,
});
