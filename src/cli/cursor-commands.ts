/**
 * `wharf cursor get|set|reset SOURCE`: a source's durable cursor in ZooKeeper. Changes go through
 * the poller's own fenced compare-and-set (src/coordination/cursor-override.ts) and are refused
 * while another instance holds the source's lease, unless --force.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { CorruptCursorError, CursorStore } from '../coordination/cursor-store';
import { overrideCursor } from '../coordination/cursor-override';
import { SourceLease, type LeaseHolder } from '../coordination/source-lease';
import { connectZookeeper, type ZookeeperClient } from '../coordination/zookeeper';
import type { WharfConfig } from '../config/schema';
import { cursorProblem, type SourceConfig } from '../sources/registry';
import { loadConfigOrExit, sourceOrExit } from './common';

interface CursorOpts {
  config: string;
  json?: boolean;
  force?: boolean;
}

const describeHolder = (holder: LeaseHolder | undefined) => (holder ? `${holder.instance} (since ${holder.since})` : 'an instance that did not say who it is');
const shown = (cursor: string | null) => (cursor === null ? 'none (read from the start)' : JSON.stringify(cursor));

export function registerCursorCommands(program: Command): void {
  const cursor = program.command('cursor').description("a source's durable cursor in ZooKeeper: where its next poll starts");

  cursor
    .command('get')
    .description('print the stored cursor of a source, when it last moved, and which instance holds its lease')
    .argument('<source>', 'source id')
    .option('--json', 'print it as one JSON object')
    .option('-c, --config <file>', 'configuration file')
    .action((source: string, opts: CursorOpts) =>
      withSource(source, opts, async (config, client) => {
        const store = new CursorStore(client, config.zookeeper.root);
        const lease = await new SourceLease(client, config.zookeeper.root, source).currentHolder();
        let stored;
        try {
          stored = await store.load(source);
        } catch (err) {
          if (!(err instanceof CorruptCursorError)) throw err;
          process.stderr.write(`wharf: ${err.message}\n`);
          return 1;
        }
        const holder = lease ? (lease.holder ?? { instance: 'unknown', since: 'unknown' }) : null;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ source, path: store.pathOf(source), cursor: stored.cursor, updatedAt: stored.updatedAt ?? null, version: stored.version, pageDigest: stored.pageDigest ?? null, holder })}\n`);
          return 0;
        }
        const lines = [
          `source ${source}: ${store.pathOf(source)}`,
          `cursor   ${shown(stored.cursor)}`,
          `updated  ${stored.updatedAt ?? (stored.version === -1 ? 'never saved' : 'unknown')}`,
          `version  ${stored.version}`,
          `lease    ${lease ? `held by ${describeHolder(lease.holder)}` : 'free: no instance polls this source'}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        return 0;
      }),
    );

  const change = (name: string, description: string) =>
    cursor
      .command(name)
      .description(description)
      .argument('<source>', 'source id')
      .option('--force', 'change it even while another instance holds the lease: that instance goes on from the new cursor after the page it has in flight')
      .option('-c, --config <file>', 'configuration file');

  change('set', 'store a new cursor for a source (its upstream\'s own format); refused while another instance holds the lease, unless --force')
    .argument('<cursor>', 'the cursor, as the source type writes it')
    .action((source: string, value: string, opts: CursorOpts) => applyChange(source, value, opts));

  change('reset', 'forget the cursor of a source: its next poll reads the upstream from the start; refused while another instance holds the lease, unless --force')
    .action((source: string, opts: CursorOpts) => applyChange(source, null, opts));
}

function applyChange(source: string, value: string | null, opts: CursorOpts): Promise<void> {
  const refuseInvalid = (sourceConfig: SourceConfig) => {
    const problem = value === null ? undefined : cursorProblem(sourceConfig, value);
    if (problem === undefined) return;
    process.stderr.write(`wharf: cursor of source ${source} not changed: ${problem}\n`);
    process.exit(2);
  };
  return withSource(source, { ...opts, check: refuseInvalid }, async (config, client) => {
    const outcome = await overrideCursor(client, config.zookeeper.root, source, value, { force: opts.force === true, instance: `${hostname()}:${process.pid} (wharf cursor)` });
    if (!outcome.changed) {
      process.stderr.write(
        `wharf: cursor of source ${source} not changed: ${describeHolder(outcome.holder)} holds its lease and polls it; stop that instance (or remove the source from its configuration), or use --force\n`,
      );
      return 1;
    }
    const was = 'corrupt' in outcome.previous ? 'a corrupt value' : shown(outcome.previous.cursor);
    process.stdout.write(`cursor of source ${source} set to ${shown(value)} (was ${was}), version ${outcome.version}\n`);
    if (outcome.forcedOver) process.stdout.write(`forced over the lease of ${describeHolder(outcome.forcedOver)}: it polls from this cursor after its interval, or after the page it has in flight\n`);
    return 0;
  });
}

/** Checks the source is configured (exit 2 otherwise) and `opts.check`, opens a ZooKeeper session, runs `work` and exits with its code. */
async function withSource(
  source: string,
  opts: CursorOpts & { check?: (source: SourceConfig) => void },
  work: (config: WharfConfig, client: ZookeeperClient) => Promise<number>,
): Promise<void> {
  const config = loadConfigOrExit(opts.config);
  const sourceConfig = sourceOrExit(config, source, opts.config);
  opts.check?.(sourceConfig);
  const client = await connectZookeeper(config.zookeeper);
  try {
    process.exitCode = await work(config, client);
  } finally {
    client.close();
  }
  process.exit();
}
