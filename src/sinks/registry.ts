/**
 * Every sink type wharf has, by the `type` a configured sink names. Adding a sink type is its
 * folder plus one line here (docs/extending.md).
 */
import { z } from 'zod';
import type { ServiceCheck } from '../health/check';
import { couchdbSink } from './couchdb';
import { elasticsearchSink } from './elasticsearch';
import { hdfsSink } from './hdfs';
import type { SinkReader } from './sink-reader';
import type { SinkType } from './sink-type';
import type { SinkWriter } from './sink-writer';

const SINK_TYPES = [elasticsearchSink, couchdbSink, hdfsSink] as const;

type SchemasOf<T extends readonly SinkType[]> = { -readonly [K in keyof T]: T[K]['schema'] };

/** A configured sink, of any type. */
export const SinkSchema = z.discriminatedUnion('type', SINK_TYPES.map((t) => t.schema) as unknown as SchemasOf<typeof SINK_TYPES>);
export type SinkConfig = z.output<typeof SinkSchema>;

function sinkType(config: SinkConfig): SinkType {
  const found = SINK_TYPES.find((t) => t.type === config.type);
  if (!found) throw new Error(`no sink type "${config.type}"`); // the schema admits only registered types
  return found;
}

export function createSinkWriter(config: SinkConfig): SinkWriter {
  return new (sinkType(config).Writer)(config);
}

export function createSinkReader(config: SinkConfig): SinkReader {
  return new (sinkType(config).Reader)(config);
}

export function sinkHealthCheck(config: SinkConfig): ServiceCheck {
  return sinkType(config).healthCheck(config);
}

/** How a sink purges its old tombstones, or undefined for a sink that keeps none (its deletions are the server's own). */
export function tombstonePurge(config: SinkConfig): ((options: { before: Date; dryRun: boolean }) => Promise<number>) | undefined {
  const type = sinkType(config);
  return type.purgeTombstones ? (options) => type.purgeTombstones!(config, options) : undefined;
}
