/** `wharf status`: the live supervision tree and readiness of a running instance, from its ops endpoints. */
import type { Command } from 'commander';
import type { Readiness } from '../service/ops-server';
import type { TreeNode } from '../supervisors/supervisor';
import { getJson, opsEndpoint, TokenRefusedError, unreachable } from './common';
import { renderTree, type TextNode } from './render-tree';

function treeNode(node: TreeNode): TextNode {
  const parts = [node.id, node.kind === 'worker' ? (node.actor ?? 'worker') : 'supervisor'];
  if (node.mode) parts.push(node.mode);
  if (node.pid) parts.push(`pid ${node.pid}`);
  parts.push(node.state, `restarts ${node.restarts}`);
  if (node.lastError) parts.push(`last error: ${node.lastError}`);
  return { label: parts.join('  '), children: node.children?.map(treeNode) };
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('print the supervision tree and readiness of a running wharf (exit 0 ready, 1 not ready, 2 bearer token refused or invalid configuration, 3 not reachable)')
    .option('-c, --config <file>', 'configuration file, for the ops endpoint address')
    .option('--url <url>', 'ops endpoint of the instance (default: metrics.host and metrics.port of the config)')
    .option('--json', 'print /topology and /readyz as JSON')
    .action(async (opts: { config: string; url?: string; json?: boolean }, command: Command) => {
      const { base, token } = opsEndpoint(opts, command.getOptionValueSource('config') === 'cli');
      let topology: { status: number; body: TreeNode };
      let readiness: { status: number; body: Readiness };
      try {
        [topology, readiness] = await Promise.all([getJson<TreeNode>(`${base}/topology`, token), getJson<Readiness>(`${base}/readyz`, token)]);
      } catch (err) {
        if (err instanceof TokenRefusedError) {
          process.stderr.write(`wharf: ${err.message}\n`);
          process.exit(2);
        }
        process.stderr.write(`wharf: no running wharf answers: ${unreachable(base, err)}\n`);
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
