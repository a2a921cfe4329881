/**
 * Documents (their JSON text, document.ts documentText) as archive bytes: one document per
 * line. Compressed, each appended batch is one gzip member; a file of many members is one valid
 * gzip stream (RFC 1952), which gunzip, zcat, Hadoop's GzipCodec and Node's zlib read whole.
 */
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { Compression } from './layout';

const gzipAsync = promisify(gzip);

/** Compresses on libuv's thread pool: a consumer's event loop (heartbeats, other partitions) goes on meanwhile. */
export async function encodeLines(documents: readonly string[], compression: Compression): Promise<Buffer> {
  const text = Buffer.from(documents.map((d) => `${d}\n`).join(''));
  return compression === 'gzip' ? gzipAsync(text) : text;
}

export function decodeLines(body: Buffer, compressed: boolean): string[] {
  const text = (compressed ? gunzipSync(body) : body).toString('utf8');
  return text.split('\n').filter((line) => line.length > 0);
}
