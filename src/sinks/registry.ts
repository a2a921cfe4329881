/**
 * Every sink type wharf has, by the `type` a configured sink names. Adding a sink type is its
 * folder plus one line here and one in sinks/schema.ts (docs/extending.md). This file imports the
 * schemas' types only: the partition consumers, which use it, never load zod.
 */
import type { ServiceCheck } from '../health/check';
import { couchdbSink } from './couchdb';
import { elasticsearchSink } from './elasticsearch';
import { hdfsSink } from './hdfs';
import type { SinkConfig } from './schema';
import type { SinkReader } from './sink-reader';
import type { SinkType } from './sink-type';
import type { SinkWriter } from './sink-writer';

export type { SinkConfig } from './schema';

const SINK_TYPES: { readonly [T in SinkConfig['type']]: SinkType<Extract<SinkConfig, { type: T }>> } = {
  elasticsearch: elasticsearchSink,
  couchdb: couchdbSink,
  hdfs: hdfsSink,
};

function sinkType(config: SinkConfig): SinkType<SinkConfig> {
  const found = SINK_TYPES[config.type] as SinkType<SinkConfig> | undefined;
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
