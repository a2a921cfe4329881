/** The Elasticsearch sink's server is usable when its cluster is at least yellow. */
import { ServiceUnavailableError } from '../../errors';
import { serviceCheck, type ServiceCheck } from '../../health/check';
import { safeUrl } from '../../log';
import { createElasticsearch } from './client';
import type { ElasticsearchSinkConfig } from './config';

export function elasticsearchCheck(sink: ElasticsearchSinkConfig): ServiceCheck {
  const service = `sink:${sink.id}`;
  const client = createElasticsearch(sink);
  return serviceCheck(service, safeUrl(sink.node), async () => {
    const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
    if (health.timed_out) throw new ServiceUnavailableError(service, `cluster ${health.cluster_name} is ${health.status}`);
    return `elasticsearch cluster ${health.cluster_name} ${health.status}, ${health.number_of_nodes} node(s)`;
  });
}
