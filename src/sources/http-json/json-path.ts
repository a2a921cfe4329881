/** Dot paths into a JSON document ("data.items"; "" is the document itself): the schema of one, and the value at one. */
import { z } from 'zod';

export const jsonPath = z.string().regex(/^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$/, 'expected a dot path such as "data.items"');

export function atPath(document: unknown, path: string): unknown {
  if (path === '') return document;
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), document);
}
