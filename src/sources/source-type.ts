/**
 * What a source type brings to wharf, in one object: its configuration schema (whose `type`
 * literal selects it) and how a configured source becomes an adapter. Each source type's
 * folder exports one; sources/registry.ts lists them.
 */
import type { z } from 'zod';
import type { SourceAdapter } from './source-adapter';

export interface SourceType<Schema extends z.ZodType = z.ZodType> {
  type: string;
  schema: Schema;
  createAdapter(config: z.output<Schema>): SourceAdapter;
}

export function defineSource<Schema extends z.ZodType>(definition: SourceType<Schema>): SourceType<Schema> {
  return definition;
}
