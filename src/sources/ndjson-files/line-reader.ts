/**
 * Reads the complete lines of a file from a byte offset, in bytes (a UTF-8 character split
 * between two reads stays whole, since lines are decoded one by one later). A line is the bytes
 * before a "\n", without a trailing "\r". A last line without its newline is not returned: it
 * may still be being written. A line longer than `maxLineBytes` is never held whole: only its
 * first KiB is kept, the rest is skipped up to its newline.
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 64 * 1024;
const OVERSIZED_HEAD_BYTES = 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export type FileLine =
  | { offset: number; bytes: Buffer }
  | { offset: number; oversized: { length: number; head: Buffer } };

export interface LineLimits {
  maxLineBytes: number;
  /** Stop after this many lines. */
  maxLines: number;
  /** Stop once the lines held reach this many bytes (at least one line is read). */
  maxBytes: number;
}

export interface LinesRead {
  lines: FileLine[];
  /** The offset just after the last line returned: where the next read starts. */
  end: number;
  /** Bytes held in `lines` (oversized lines count for their head only). */
  bytes: number;
}

export async function readLines(file: FileHandle, from: number, limits: LineLimits): Promise<LinesRead> {
  const lines: FileLine[] = [];
  let bytes = 0;
  let lineStart = from;
  let position = from;
  let parts: Buffer[] = [];
  let lineLength = 0;
  let oversizedHead: Buffer | undefined;

  const append = (piece: Buffer) => {
    lineLength += piece.length;
    if (oversizedHead) return;
    if (lineLength > limits.maxLineBytes) {
      oversizedHead = Buffer.concat([...parts, piece], Math.min(OVERSIZED_HEAD_BYTES, lineLength));
      parts = [];
    } else parts.push(Buffer.from(piece)); // a copy: the chunk is reused
  };
  const finish = (): FileLine => {
    let line: FileLine;
    if (oversizedHead) {
      line = { offset: lineStart, oversized: { length: lineLength, head: oversizedHead } };
      bytes += oversizedHead.length;
    } else {
      const whole = Buffer.concat(parts);
      const content = whole.at(-1) === CARRIAGE_RETURN ? whole.subarray(0, -1) : whole;
      line = { offset: lineStart, bytes: content };
      bytes += content.length;
    }
    parts = [];
    lineLength = 0;
    oversizedHead = undefined;
    return line;
  };

  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  for (;;) {
    const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) return { lines, end: lineStart, bytes };
    const data = chunk.subarray(0, bytesRead);
    let start = 0;
    for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, start)) {
      append(data.subarray(start, newline));
      lines.push(finish());
      lineStart = position + newline + 1;
      start = newline + 1;
      if (lines.length >= limits.maxLines || bytes >= limits.maxBytes) return { lines, end: lineStart, bytes };
    }
    append(data.subarray(start));
    position += bytesRead;
  }
}
