/**
 * The least privileges the Elasticsearch sink needs, as Logstash and Vector document theirs:
 * a role with exactly these (docs/security.md shows it, the secured stack's API key has it) is
 * enough for the pipeline, `wharf replay`, `wharf dlq replay` and `wharf verify [--repair]`.
 * The health check asks Elasticsearch (`_security/user/_has_privileges`, which any user may ask
 * about itself) whether the sink's credentials have what the pipeline needs, so a missing one is
 * named in /readyz before a write fails.
 */
import { errors, type Client } from '@elastic/elasticsearch';

/** Cluster privileges, and what for. */
export const CLUSTER_PRIVILEGES: Readonly<Record<string, string>> = {
  monitor: 'the health check (`GET _cluster/health`)',
};

/** Index privileges on the sink's index, and what for. */
export const INDEX_PRIVILEGES: Readonly<Record<string, string>> = {
  create_index: 'creating the index with the sink\'s mappings and settings, when it is missing',
  index: 'writing documents (`_bulk` index operations with external versions)',
  view_index_metadata: 'whether the index exists, and its write blocks (the health check)',
  read: '`wharf verify`: a point in time and `_search` over the index',
  maintenance: '`wharf verify`: refreshing the index before listing it',
};

/** What the pipeline cannot run without (verify's privileges fail verify itself, with Elasticsearch's words). */
const PIPELINE_INDEX_PRIVILEGES = ['create_index', 'index', 'view_index_metadata'];

export interface MissingPrivileges {
  cluster: string[];
  index: string[];
}

/**
 * The privileges the pipeline needs that these credentials lack, as Elasticsearch says. A cluster
 * without security has no such API (400): nothing is missing there. Refused credentials throw.
 */
export async function missingPrivileges(client: Client, index: string): Promise<MissingPrivileges> {
  let answer;
  try {
    answer = await client.security.hasPrivileges({
      cluster: Object.keys(CLUSTER_PRIVILEGES),
      index: [{ names: [index], privileges: PIPELINE_INDEX_PRIVILEGES }],
    });
  } catch (err) {
    if (err instanceof errors.ResponseError && err.statusCode === 400) return { cluster: [], index: [] };
    throw err;
  }
  const granted = answer.index[index] ?? {};
  return {
    cluster: Object.entries(answer.cluster).filter(([, has]) => !has).map(([privilege]) => privilege),
    index: PIPELINE_INDEX_PRIVILEGES.filter((privilege) => !granted[privilege]),
  };
}
