/**
 * The Elasticsearch sink's server is usable when its cluster is at least yellow and the sink's
 * index (if it exists yet) has no write block: a blocked index refuses every write, so /readyz
 * should say so and name the block to lift.
 */
import { ServiceUnavailableError } from '../../errors';
import { serviceCheck, type ServiceCheck } from '../../health/check';
import { safeUrl } from '../../log';
import { createElasticsearch } from './client';
import type { ElasticsearchSinkConfig } from './config';

/** Index settings that refuse writes when "true" (Elasticsearch's index blocks). */
const WRITE_BLOCKS = ['index.blocks.write', 'index.blocks.read_only', 'index.blocks.read_only_allow_delete'];

export function elasticsearchCheck(sink: ElasticsearchSinkConfig): ServiceCheck {
  const service = `sink:${sink.id}`;
  const client = createElasticsearch(sink);
  return serviceCheck(service, safeUrl(sink.node), async () => {
    const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
    if (health.timed_out) throw new ServiceUnavailableError(service, `cluster ${health.cluster_name} is ${health.status}`);
    const settings = await client.indices.getSettings({ index: sink.index, flat_settings: true, ignore_unavailable: true, allow_no_indices: true });
    // Keyed by concrete index: the sink's index may be an alias.
    const flat = Object.values(settings).map((s) => (s.settings ?? {}) as Record<string, unknown>);
    const blocks = WRITE_BLOCKS.filter((key) => flat.some((f) => String(f[key]) === 'true'));
    if (blocks.length > 0) throw new ServiceUnavailableError(service, `index ${sink.index} is write-blocked (${blocks.map((b) => `${b}=true`).join(', ')}); lift the block`);
    return `elasticsearch cluster ${health.cluster_name} ${health.status}, ${health.number_of_nodes} node(s)`;
  });
}
