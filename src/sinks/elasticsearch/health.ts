/**
 * The Elasticsearch sink's server is usable when the sink's credentials are accepted and hold the
 * privileges the pipeline needs (privileges.ts), its cluster is at least yellow, and the sink's
 * index (if it exists yet) has no write block: a blocked index refuses every write, so /readyz
 * should say so and name the block to lift. A refusal names its cause: credentials refused (an
 * expired or invalidated API key, a wrong password), a missing privilege, an untrusted certificate.
 */
import type { Client } from '@elastic/elasticsearch';
import { ServiceUnavailableError } from '../../errors';
import { serviceCheck, type ServiceCheck } from '../../health/check';
import { safeUrl } from '../../log';
import { esRefusal } from './answers';
import { createElasticsearch } from './client';
import type { ElasticsearchSinkConfig } from './config';
import { missingPrivileges } from './privileges';
import { storeIndexName } from './store-index';

/** Index settings that refuse writes when "true" (Elasticsearch's index blocks). */
const WRITE_BLOCKS = ['index.blocks.write', 'index.blocks.read_only', 'index.blocks.read_only_allow_delete'];

export function elasticsearchCheck(sink: ElasticsearchSinkConfig): ServiceCheck {
  const service = `sink:${sink.id}`;
  const client = createElasticsearch(sink);
  return serviceCheck(service, safeUrl(sink.node), async () => {
    try {
      return await check(client, sink, service);
    } catch (err) {
      const refused = err instanceof ServiceUnavailableError ? undefined : esRefusal(sink, err);
      throw refused ? new ServiceUnavailableError(service, refused, err) : err;
    }
  });
}

async function check(client: Client, sink: ElasticsearchSinkConfig, service: string): Promise<string> {
  // Asked first: without `monitor` or `manage` the calls below would only say "403".
  const missing = sink.apiKey || sink.username ? await missingPrivileges(client, sink.index) : { cluster: [], index: [] };
  if (missing.cluster.length + missing.index.length > 0) {
    const lacking = [...missing.cluster.map((p) => `cluster privilege ${p}`), ...missing.index.map((p) => `index privilege ${p} on ${sink.index} and ${storeIndexName(sink.index)}`)];
    throw new ServiceUnavailableError(service, `the sink's credentials lack ${lacking.join(', ')}: grant them (docs/security.md)`);
  }
  const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
  if (health.timed_out) throw new ServiceUnavailableError(service, `cluster ${health.cluster_name} is ${health.status}`);
  const settings = await client.indices.getSettings({ index: sink.index, flat_settings: true, ignore_unavailable: true, allow_no_indices: true });
  // Keyed by concrete index: the sink's index is an alias over its store index.
  const flat = Object.values(settings).map((s) => (s.settings ?? {}) as Record<string, unknown>);
  const blocks = WRITE_BLOCKS.filter((key) => flat.some((f) => String(f[key]) === 'true'));
  if (blocks.length > 0) throw new ServiceUnavailableError(service, `index ${sink.index} is write-blocked (${blocks.map((b) => `${b}=true`).join(', ')}); lift the block`);
  return `elasticsearch cluster ${health.cluster_name} ${health.status}, ${health.number_of_nodes} node(s)`;
}
