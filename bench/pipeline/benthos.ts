/**
 * The peer for Kafka -> Elasticsearch: Benthos v4.27.0 (the last MIT release of what is now
 * Redpanda Connect), built here from the Go module proxy as a small wrapper main
 * (`service.RunCLI` with blank imports of its io, pure, kafka and elasticsearch components) into
 * a cache directory outside the repository (~/.cache/wharf-bench/benthos-v4.27.0), once: about
 * 2 minutes, later runs reuse the binary. Without Go the peer is skipped, and the benchmark says
 * why.
 *
 * Its run: the kafka_franz input (a consumer group of its own, from the oldest offset), a mapping
 * that makes the document wharf writes (the payload and a `wharf` object: source, id,
 * ingestedAt, partition, offset, version), and the elasticsearch output (id = the record's id,
 * batches of 500, 8 requests in flight). Its own metrics (json_api) tell when the output has
 * sent every document (`output_sent`, the moment wharf's figure ends too: acknowledged).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from '../../src/retry/retry';
import { MeasuredProcess, type ProcessUsage } from './measured-process';

export const BENTHOS_VERSION = 'v4.27.0';
const MODULE = 'github.com/benthosdev/benthos/v4';
const run = promisify(execFile);

const WRAPPER = `package main

import (
	"context"

	_ "${MODULE}/public/components/elasticsearch"
	_ "${MODULE}/public/components/io"
	_ "${MODULE}/public/components/kafka"
	_ "${MODULE}/public/components/pure"
	"${MODULE}/public/service"
)

func main() {
	service.RunCLI(context.Background())
}
`;

/** The Benthos binary, built if missing; or why it cannot be (no Go), as `skipped`. */
export async function benthosBinary(log: (line: string) => void): Promise<{ path: string } | { skipped: string }> {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wharf-bench', `benthos-${BENTHOS_VERSION}`);
  const binary = join(dir, 'benthos');
  if (existsSync(binary)) return { path: binary };
  try {
    await run('go', ['version']);
  } catch {
    return { skipped: 'Go is not installed (`go` not found): Benthos is built from the Go module proxy' };
  }
  log(`building Benthos ${BENTHOS_VERSION} into ${dir} (once, about 2 minutes)...`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.go'), WRAPPER);
  const go = (...args: string[]) => run('go', args, { cwd: dir, maxBuffer: 16 * 2 ** 20, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  try {
    if (!existsSync(join(dir, 'go.mod'))) await go('mod', 'init', 'wharf-bench/benthos');
    // Benthos's own go.mod replaces keyring; a replace directive applies only in the main module.
    await go('mod', 'edit', '-replace', 'github.com/99designs/keyring=github.com/Jeffail/keyring@v1.2.3');
    await go('get', `${MODULE}@${BENTHOS_VERSION}`);
    await go('mod', 'tidy');
    await go('build', '-o', `${binary}.partial`, '.');
    renameSync(`${binary}.partial`, binary);
  } catch (err) {
    const detail = err instanceof Error ? ((err as { stderr?: string }).stderr ?? err.message) : String(err);
    return { skipped: `building Benthos failed: ${detail.trim().split('\n').slice(-3).join(' ')}` };
  }
  return { path: binary };
}

export interface BenthosTarget {
  brokers: readonly string[];
  topic: string;
  groupId: string;
  elasticsearchUrl: string;
  index: string;
  batchSize: number;
}

export interface BenthosRun {
  /** From the first sample in which its output had sent documents until it had sent `count`. */
  seconds: number;
  /** Documents sent in that window. */
  count: number;
  /** Of the whole process, its start included. */
  usage: ProcessUsage;
}

function config(target: BenthosTarget, metricsPort: number): string {
  return JSON.stringify({
    // The wrapper has no Prometheus component: its metrics as JSON, served at /metrics on this address.
    http: { enabled: true, address: `127.0.0.1:${metricsPort}` },
    metrics: { json_api: {} },
    logger: { level: 'WARN' },
    input: { kafka_franz: { seed_brokers: target.brokers, topics: [target.topic], consumer_group: target.groupId, start_from_oldest: true } },
    pipeline: {
      processors: [
        {
          mapping: [
            'root = this.payload',
            'root.wharf = {"source": this.source, "id": this.id, "ingestedAt": this.ingestedAt,',
            '  "partition": meta("kafka_partition").number(), "offset": meta("kafka_offset"), "version": meta("kafka_offset")}',
          ].join('\n'),
        },
      ],
    },
    output: {
      elasticsearch: {
        urls: [target.elasticsearchUrl],
        index: target.index,
        id: '${! this.wharf.id }',
        action: 'index',
        sniff: false,
        healthcheck: false,
        max_in_flight: 8,
        batching: { count: target.batchSize, period: '1s' },
      },
    },
  });
}

/** Runs Benthos until its output sent `count` documents, then stops it; `workDir` holds its config. */
export async function runBenthos(binary: string, target: BenthosTarget, count: number, workDir: string): Promise<BenthosRun> {
  const port = await freePort();
  const configFile = join(workDir, `benthos-${target.groupId}.json`);
  writeFileSync(configFile, config(target, port));
  const benthos = new MeasuredProcess(binary, ['-c', configFile], `${configFile}.usage`);
  let exited = false;
  void benthos.exited.then(() => (exited = true), () => (exited = true));
  const deadline = Date.now() + 120_000 + count * 10;
  let sent = 0;
  let first: { at: number; sent: number } | undefined;
  try {
    while (sent < count) {
      if (exited) throw new Error('Benthos exited early');
      if (Date.now() > deadline) throw new Error(`Benthos sent only ${sent} of ${count} documents in time`);
      await sleep(100);
      sent = await outputSent(port);
      if (!first && sent > 0) first = { at: performance.now(), sent };
    }
  } catch (err) {
    const { stderr } = await benthos.stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}; its last output: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  const seconds = (performance.now() - first!.at) / 1000;
  return { seconds, count: count - first!.sent, usage: await benthos.stop() };
}

/** Benthos's count of messages its output sent (0 while it starts), from its json_api metrics: `{"output_sent{label=..}": n}`. */
async function outputSent(port: number): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    const metrics = (await response.json()) as Record<string, unknown>;
    return Object.entries(metrics).reduce((sum, [key, value]) => sum + (/^output_sent(\{|$)/.test(key) && typeof value === 'number' ? value : 0), 0);
  } catch {
    return 0;
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
