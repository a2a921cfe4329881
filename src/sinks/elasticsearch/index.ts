/** The `elasticsearch` sink type. */
import { defineSink } from '../sink-type';
import { ElasticsearchSinkSchema } from './config';
import { elasticsearchCheck } from './health';
import { ElasticsearchReader } from './reader';
import { ElasticsearchWriter } from './writer';

export const elasticsearchSink = defineSink({
  type: 'elasticsearch',
  schema: ElasticsearchSinkSchema,
  createWriter: (config) => new ElasticsearchWriter(config),
  createReader: (config) => new ElasticsearchReader(config),
  healthCheck: elasticsearchCheck,
});
