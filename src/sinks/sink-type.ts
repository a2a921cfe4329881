/**
 * What a sink type brings to wharf, in one object: its configuration schema (whose `type`
 * literal selects it), how a configured sink becomes a writer and a reader (what it holds, for
 * `wharf verify`), how its server is checked, and, if it keeps tombstone documents, how they are
 * purged.
 * Each sink type's folder exports one; sinks/registry.ts lists them.
 */
import type { z } from 'zod';
import type { ServiceCheck } from '../health/check';
import type { SinkReader } from './sink-reader';
import type { SinkWriter } from './sink-writer';

export interface SinkType<Schema extends z.ZodObject = z.ZodObject> {
  type: string;
  schema: Schema;
  Writer: new (config: z.output<Schema>) => SinkWriter;
  Reader: new (config: z.output<Schema>) => SinkReader;
  healthCheck(config: z.output<Schema>): ServiceCheck;
  /**
   * Only for a sink that keeps deletions as documents of its own (docs/deletions.md): removes
   * those of deletions fetched before `before`; returns how many (would be) removed.
   */
  purgeTombstones?(config: z.output<Schema>, options: { before: Date; dryRun: boolean }): Promise<number>;
}

export function defineSink<Schema extends z.ZodObject>(definition: SinkType<Schema>): SinkType<Schema> {
  return definition;
}
