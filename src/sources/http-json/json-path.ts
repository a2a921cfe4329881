/** Dot paths into a JSON document ("data.items"; "" is the document itself; config.ts checks their form): the value at one. */
export function atPath(document: unknown, path: string): unknown {
  if (path === '') return document;
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), document);
}
