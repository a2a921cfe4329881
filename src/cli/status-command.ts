/** `wharf status`: the live supervision tree and readiness of a running instance, from its ops endpoints. */
import type { Command } from 'commander';
import type { Readiness } from '../service/ops-server';
import type { TreeNode } from '../supervisors/supervisor';
import { DEFAULT_CONFIG, loadConfigOrExit } from './common';
import { renderTree, type TextNode } from './render-tree';

function treeNode(node: TreeNode): TextNode {
  const parts = [node.id, node.kind === 'worker' ? (node.actor ?? 'worker') : 'supervisor'];
  if (node.mode) parts.push(node.mode);
  if (node.pid) parts.push(`pid ${node.pid}`);
  parts.push(node.state, `restarts ${node.restarts}`);
  if (node.lastError) parts.push(`last error: ${node.lastError}`);
  return { label: parts.join('  '), children: node.children?.map(treeNode) };
}

/** The instance wants a (other) bearer token: a usage problem, exit 2. */
class TokenRefusedError extends Error {
  constructor(url: string) {
    super(`${url} refused the request (401): it wants the bearer token of its configuration's metrics.token; give that file with --config`);
  }
}

async function getJson<T>(url: string, token: string | undefined): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (response.status === 401) throw new TokenRefusedError(url);
  return { status: response.status, body: (await response.json()) as T };
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('print the supervision tree and readiness of a running wharf (exit 0 ready, 1 not ready, 2 bearer token refused or invalid configuration, 3 not reachable)')
    .option('-c, --config <file>', 'configuration file, for the ops endpoint address', DEFAULT_CONFIG)
    .option('--url <url>', 'ops endpoint of the instance (default: metrics.host and metrics.port of the config)')
    .option('--json', 'print /topology and /readyz as JSON')
    .action(async (opts: { config: string; url?: string; json?: boolean }, command: Command) => {
      // The configuration gives the address and the bearer token (metrics.token); with --url alone, only an explicit --config is read.
      const metrics = !opts.url || command.getOptionValueSource('config') === 'cli' ? loadConfigOrExit(opts.config).metrics : undefined;
      const base = opts.url ?? `http://${metrics!.host.includes(':') ? `[${metrics!.host}]` : metrics!.host}:${metrics!.port}`;
      let topology: { status: number; body: TreeNode };
      let readiness: { status: number; body: Readiness };
      try {
        [topology, readiness] = await Promise.all([getJson<TreeNode>(`${base}/topology`, metrics?.token), getJson<Readiness>(`${base}/readyz`, metrics?.token)]);
      } catch (err) {
        if (err instanceof TokenRefusedError) {
          process.stderr.write(`wharf: ${err.message}\n`);
          process.exit(2);
        }
        process.stderr.write(`wharf: no running wharf answers at ${base}: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(3);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ topology: topology.body, readiness: readiness.body }, null, 2)}\n`);
      } else {
        process.stdout.write(renderTree(treeNode(topology.body)));
        process.stdout.write(readiness.body.ready ? 'ready\n' : `not ready:\n${readiness.body.reasons.map((r) => `  - ${r}`).join('\n')}\n`);
      }
      process.exit(readiness.body.ready ? 0 : 1);
    });
}
