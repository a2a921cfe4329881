/**
 * The configuration schema of a sink of any type: each sink type's schema (its folder's
 * config.ts), selected by `type`. Only the configuration loader uses it; sinks/registry.ts must
 * have an implementation for every type here (the compiler checks it).
 */
import { z } from 'zod';
import { CouchdbSinkSchema } from './couchdb/config';
import { ElasticsearchSinkSchema } from './elasticsearch/config';
import { HdfsSinkSchema } from './hdfs/config';

/** A configured sink, of any type. */
export const SinkSchema = z.discriminatedUnion('type', [ElasticsearchSinkSchema, CouchdbSinkSchema, HdfsSinkSchema]);
export type SinkConfig = z.output<typeof SinkSchema>;
