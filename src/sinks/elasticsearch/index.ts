/** The `elasticsearch` sink type. */
import { defineSink } from '../sink-type';
import type { ElasticsearchSinkConfig } from './config';
import { elasticsearchCheck } from './health';
import { ElasticsearchReader } from './reader';
import { ElasticsearchWriter } from './writer';
import { purgeTombstones } from './purge';

export const elasticsearchSink = defineSink<ElasticsearchSinkConfig>({ Writer: ElasticsearchWriter, Reader: ElasticsearchReader, healthCheck: elasticsearchCheck, purgeTombstones });
