/**
 * The least privileges the Elasticsearch sink needs, as Logstash and Vector document theirs:
 * a role with exactly these (docs/security.md shows it, the secured stack's API key has it) is
 * enough for the pipeline, `wharf replay`, `wharf dlq replay` and `wharf verify [--repair]`.
 * The health check asks Elasticsearch (`_security/user/_has_privileges`, which any user may ask
 * about itself) whether the sink's credentials have what the pipeline needs, so a missing one is
 * named in /readyz before a write fails.
 */
import { errors, type Client } from '@elastic/elasticsearch';
import { storeIndexName } from './store-index';

/** Cluster privileges, and what for. */
export const CLUSTER_PRIVILEGES: Readonly<Record<string, string>> = {
  monitor: 'the health check (`GET _cluster/health`)',
};

/**
 * Index privileges on the sink's `index` (a filtered alias) and its store index `<index>-store`
 * (store-index.ts), and what for. `manage` is the narrowest that may put an index behind an
 * alias; it also covers creating the store index, reading its metadata and refreshing it.
 */
export const INDEX_PRIVILEGES: Readonly<Record<string, string>> = {
  manage: 'creating the store index with the sink\'s mappings and settings and the filtered alias over it, when missing; whether they exist, and write blocks (the health check); refreshing before `wharf verify` lists it',
  index: 'writing documents and tombstones (`_bulk` index operations with external versions)',
  read: '`wharf verify`: a point in time and `_search` over the store index',
  delete: '`wharf purge-tombstones`: deleting old tombstone documents',
};

/** What the pipeline cannot run without (verify's and purge's privileges fail those commands, with Elasticsearch's words). */
const PIPELINE_INDEX_PRIVILEGES = ['manage', 'index'];

export interface MissingPrivileges {
  cluster: string[];
  index: string[];
}

/**
 * The privileges the pipeline needs that these credentials lack, as Elasticsearch says. A cluster
 * without security has no such API (400): nothing is missing there. Refused credentials throw.
 */
export async function missingPrivileges(client: Client, index: string): Promise<MissingPrivileges> {
  const names = [index, storeIndexName(index)];
  let answer;
  try {
    answer = await client.security.hasPrivileges({
      cluster: Object.keys(CLUSTER_PRIVILEGES),
      index: [{ names, privileges: PIPELINE_INDEX_PRIVILEGES }],
    });
  } catch (err) {
    if (err instanceof errors.ResponseError && err.statusCode === 400) return { cluster: [], index: [] };
    throw err;
  }
  return {
    cluster: Object.entries(answer.cluster).filter(([, has]) => !has).map(([privilege]) => privilege),
    index: PIPELINE_INDEX_PRIVILEGES.filter((privilege) => names.some((name) => !answer.index[name]?.[privilege])),
  };
}
