/**
 * The ndjson-files cursor: one JSON string (the poller keeps it in ZooKeeper) mapping each
 * tracked file's identity to its current name, the byte offset up to which its lines are in
 * Kafka, and its generation (how many truncations of that same file were seen; it keeps the
 * ids of rewritten content apart from the old). Entries still at offset 0 and generation 0 are
 * left out, as absent means exactly that. The text is canonical (keys sorted), so an unchanged
 * state gives an unchanged string and the poller can tell "nothing new".
 *
 *   {"v":1,"files":{"2049-131-9f86d081884c7d65":{"name":"app.ndjson","offset":1024}}}
 */
import { z } from 'zod';
import { InvalidCursorError } from '../source-adapter';

export interface FilePosition {
  name: string;
  offset: number;
  generation: number;
}

/** File identity -> position. */
export type FilePositions = Map<string, FilePosition>;

const CursorSchema = z.strictObject({
  v: z.literal(1),
  files: z.record(z.string(), z.strictObject({ name: z.string(), offset: z.int().min(0), gen: z.int().min(1).optional() })),
});

export function parseCursor(source: string, cursor: string | null): FilePositions {
  if (cursor === null) return new Map();
  let parsed: z.output<typeof CursorSchema>;
  try {
    parsed = CursorSchema.parse(JSON.parse(cursor));
  } catch {
    throw new InvalidCursorError(source, `not an ndjson-files cursor: ${cursor.slice(0, 200)}`);
  }
  return new Map(Object.entries(parsed.files).map(([identity, f]) => [identity, { name: f.name, offset: f.offset, generation: f.gen ?? 0 }]));
}

export function formatCursor(positions: FilePositions): string {
  const files: Record<string, { name: string; offset: number; gen?: number }> = {};
  for (const identity of [...positions.keys()].sort()) {
    const { name, offset, generation } = positions.get(identity)!;
    if (offset === 0 && generation === 0) continue;
    files[identity] = generation === 0 ? { name, offset } : { name, offset, gen: generation };
  }
  return JSON.stringify({ v: 1, files });
}
