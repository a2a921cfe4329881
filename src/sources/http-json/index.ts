/** The `http-json` source type. */
import { defineSource } from '../source-type';
import type { HttpJsonSourceConfig } from './config';
import { HttpJsonSource } from './source';

export const httpJsonSource = defineSource<HttpJsonSourceConfig>({
  createAdapter: (config) => new HttpJsonSource(config),
});
