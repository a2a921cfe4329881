/**
 * A segment's ledger: one JSON line appended per acknowledged batch, after the batch's documents
 * were appended to the segment's files. Each line holds the batch's range and the length (bytes)
 * and document count every file of the segment has *after* it. So the last complete line is
 * the segment's acknowledged state: bytes past those lengths belong to a batch that was never
 * acknowledged (a crash or failure between the appends) and are cut off when the segment is
 * recovered; a torn last line (no newline, or not JSON) is such a batch too.
 */
export interface LedgerEntry {
  first: string;
  last: string;
  /** When the batch was acknowledged (ms since the epoch); the first entry's opens the segment. */
  at: number;
  /** Per file key (layout.ts fileKey): [bytes, documents]. */
  files: Record<string, [number, number]>;
}

export function ledgerLine(entry: LedgerEntry): Buffer {
  return Buffer.from(`${JSON.stringify(entry)}\n`);
}

/** The complete entries of a ledger and how many bytes they take. */
export function parseLedger(text: string): { entries: LedgerEntry[]; bytes: number } {
  const entries: LedgerEntry[] = [];
  let bytes = 0;
  for (let start = 0; ; ) {
    const end = text.indexOf('\n', start);
    if (end < 0) break;
    let entry: LedgerEntry;
    try {
      entry = JSON.parse(text.slice(start, end)) as LedgerEntry;
    } catch {
      break;
    }
    if (typeof entry?.first !== 'string' || typeof entry.last !== 'string' || typeof entry.files !== 'object') break;
    entries.push(entry);
    bytes += Buffer.byteLength(text.slice(start, end + 1));
    start = end + 1;
  }
  return { entries, bytes };
}
