/**
 * The gzip codec kafkajs compresses produced batches with, at a chosen level. kafkajs's own
 * codec uses zlib's default level (6); level 1 spends about a third less CPU per batch on the
 * produce path (bench/peers.ts), for batches a few percent larger. kafkajs keeps one codec
 * table per process, so the level is process-wide: the last producer created sets it (wharf's
 * processes have one Kafka configuration). Decompression reads any level.
 */
import { promisify } from 'node:util';
import { gzip, unzip } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';

const gzipAsync = promisify(gzip);
const unzipAsync = promisify(unzip);

export function useGzipLevel(level: number): void {
  const codec = {
    compress: (encoder: { buffer: Buffer }) => gzipAsync(encoder.buffer, { level }),
    decompress: (buffer: Buffer) => unzipAsync(buffer),
  };
  CompressionCodecs[CompressionTypes.GZIP] = () => codec;
}
