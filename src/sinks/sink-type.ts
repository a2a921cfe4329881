/**
 * What a sink type brings to wharf, in one object: its configuration schema (whose `type`
 * literal selects it), how a configured sink becomes a writer and a reader (what it holds, for
 * `wharf verify`), and how its server is checked.
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
}

export function defineSink<Schema extends z.ZodObject>(definition: SinkType<Schema>): SinkType<Schema> {
  return definition;
}
