/** The `http-json` source type. */
import { defineSource } from '../source-type';
import { HttpJsonSourceSchema } from './config';
import { HttpJsonSource } from './source';

export const httpJsonSource = defineSource({
  type: 'http-json',
  schema: HttpJsonSourceSchema,
  createAdapter: (config) => new HttpJsonSource(config),
});
