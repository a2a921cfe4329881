/**
 * What a source type brings to wharf at run time: how a configured source becomes an adapter.
 * Each source type's folder exports one; sources/registry.ts lists them by type. Its
 * configuration schema (the folder's config.ts) is listed apart, in sources/schema.ts: the
 * poller processes get validated configurations and need none of zod.
 */
import type { SourceAdapter } from './source-adapter';

export interface SourceType<Config> {
  createAdapter(config: Config): SourceAdapter;
  /**
   * Why the adapter would refuse `cursor` as its stored cursor, or undefined: checked by `wharf
   * cursor set` before it stores one. Types whose cursor the upstream alone interprets leave it out.
   */
  cursorProblem?(cursor: string): string | undefined;
}

export function defineSource<Config>(definition: SourceType<Config>): SourceType<Config> {
  return definition;
}
