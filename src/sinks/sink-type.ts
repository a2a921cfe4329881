/**
 * What a sink type brings to wharf at run time, in one object: how a configured sink becomes a
 * writer and a reader (what it holds, for `wharf verify`), how its server is checked, and, if it
 * keeps tombstone documents, how they are purged. Each sink type's folder exports one;
 * sinks/registry.ts lists them by type. Its configuration schema (the folder's config.ts) is
 * listed apart, in sinks/schema.ts: the processes that run sinks get validated configurations
 * and need none of zod.
 */
import type { ServiceCheck } from '../health/check';
import type { SinkReader } from './sink-reader';
import type { SinkWriter } from './sink-writer';

export interface SinkType<Config> {
  Writer: new (config: Config) => SinkWriter;
  Reader: new (config: Config) => SinkReader;
  healthCheck(config: Config): ServiceCheck;
  /**
   * Only for a sink that keeps deletions as documents of its own (docs/deletions.md): removes
   * those of deletions fetched before `before`; returns how many (would be) removed.
   */
  purgeTombstones?(config: Config, options: { before: Date; dryRun: boolean }): Promise<number>;
}

export function defineSink<Config>(definition: SinkType<Config>): SinkType<Config> {
  return definition;
}
