/** `wharf check-config`, `wharf config-schema` and `wharf config-docs`. */
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { WharfConfig } from '../config/schema';
import { renderConfigReference } from '../config/reference';
import { configJsonSchema } from '../config/schema';
import type { ChildSpec } from '../supervisors/spec';
import { topologySpec } from '../service/topology';
import { loadConfigOrExit } from './common';
import { renderTree, type TextNode } from './render-tree';
import { hideUrlCredentials, isSecretField } from '../util/redaction';

function specNode(spec: ChildSpec): TextNode {
  if (spec.kind === 'supervisor') {
    const { strategy, maxRestarts, withinMs } = spec.flags;
    return { label: `${spec.id}  supervisor ${strategy}, at most ${maxRestarts} restarts in ${withinMs} ms`, children: spec.children.map(specNode) };
  }
  const actor = spec.module.replace(/^.*\//, '').replace(/(\.js)?$/, '').replace(/-actor$/, '');
  return { label: `${spec.id}  ${actor}  ${spec.mode}  ${spec.restart}, stop within ${spec.shutdownMs} ms` };
}

/** How each connection is secured, never with a secret: what an operator checks first. */
function security(config: WharfConfig): string[] {
  const { kafka, zookeeper, metrics } = config;
  const kafkaAuth = kafka.sasl ? `SASL ${kafka.sasl.mechanism} as ${kafka.sasl.username}` : kafka.tls?.certFile ? 'client certificate' : 'no authentication';
  const sinkAuth = (s: WharfConfig['sinks'][number]) =>
    'apiKey' in s && s.apiKey ? 'API key' : 'username' in s && s.username ? `Basic as ${s.username}` : 'user' in s ? `simple auth as ${s.user}` : 'no credentials';
  return [
    `  kafka: ${kafka.tls ? 'TLS' : 'plaintext'}, ${kafkaAuth}`,
    `  zookeeper: ${zookeeper.digest ? `digest as ${zookeeper.digest.split(':')[0]}, creator-only znodes` : 'no authentication, open znodes'}`,
    ...config.sinks.map((s) => {
      const url = s.type === 'elasticsearch' ? s.node : s.url;
      return `  sink ${s.id}: ${url.startsWith('https:') ? 'TLS' : 'plaintext'}, ${sinkAuth(s)}`;
    }),
    `  ops endpoints: ${metrics.token ? 'bearer token' : metrics.insecure ? 'open (insecure: true)' : 'open, loopback only'}`,
  ];
}

export function describeConfig(config: WharfConfig, file: string): string {
  const lines = [
    `${file}: valid`,
    `kafka: ${config.kafka.brokers.join(',')}  topic ${config.kafka.topic} (${config.kafka.partitions} partitions), dead letters ${config.kafka.dlqTopic}`,
    `zookeeper: ${config.zookeeper.connect}${config.zookeeper.root}`,
    `sources: ${config.sources.map((s) => `${s.id} (${s.type})`).join(', ') || 'none'}`,
    `sinks: ${config.sinks.map((s) => `${s.id} (${s.type})`).join(', ')}`,
    `ops endpoints: http://${config.metrics.host}:${config.metrics.port}/metrics`,
    'security:',
    ...security(config),
    'topology:',
  ];
  return `${lines.join('\n')}\n${renderTree(specNode(topologySpec(config, dirname(resolve(file)))))}`;
}

/** No secret leaves through this command: secret keys (a header's value each), and credentials inside URLs. */
export function hideSecrets(key: string, value: unknown): unknown {
  if (isSecretField(key)) {
    if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).map((name) => [name, '[redacted]']));
    return '[redacted]';
  }
  return typeof value === 'string' ? hideUrlCredentials(value) : value;
}

export function registerConfigCommands(program: Command): void {
  program
    .command('check-config')
    .description('validate a configuration file and print the topology it starts; exit 2 with every error otherwise')
    .argument('[file]', 'configuration file (or --config)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print the whole resolved configuration as JSON instead (secrets hidden)')
    .action((_file: string | undefined, opts: { config: string; json?: boolean }) => {
      const file = opts.config;
      const config = loadConfigOrExit(file);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(config, hideSecrets, 2)}\n`);
      } else {
        process.stdout.write(describeConfig(config, file));
      }
    });

  program
    .command('config-schema')
    .description('print the JSON Schema of the configuration file (config/actors.schema.json is this output)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });

  program
    .command('config-docs')
    .description('print the configuration reference as Markdown (docs/configuration.md is this output)')
    .action(() => {
      process.stdout.write(renderConfigReference(configJsonSchema()));
    });
}
