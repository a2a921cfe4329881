/**
 * Removes the Elasticsearch sink's old tombstones (store-index.ts): documents of deletions
 * fetched before a time. Safe once no older write of their ids can still arrive: the caller
 * (`wharf purge-tombstones`) checks that the time is beyond what Kafka still holds.
 *
 * Each is deleted with `external_gte` at the version it was found at, so a tombstone that a
 * newer write replaced meanwhile is left to that write (a 409, skipped). `_delete_by_query`
 * would do it in one request, but it lives in the reindex module, which not every distribution
 * ships.
 */
import type { Client } from '@elastic/elasticsearch';
import { WharfError } from '../../errors';
import { createElasticsearch } from './client';
import type { ElasticsearchSinkConfig } from './config';
import { scanPages } from './pit-scan';
import { storeIndexName } from './store-index';

export async function purgeTombstones(config: ElasticsearchSinkConfig, options: { before: Date; dryRun: boolean }): Promise<number> {
  const client = createElasticsearch(config);
  const index = storeIndexName(config.index);
  const query = { bool: { filter: [{ term: { 'wharf.deleted': true } }, { range: { 'wharf.ingestedAt': { lt: options.before.toISOString() } } }] } };
  try {
    if (!(await client.indices.exists({ index }))) return 0;
    if (options.dryRun) return (await client.count({ index, query })).count;
    let purged = 0;
    for await (const hits of scanPages(client, index, { query, source: false })) purged += await deleteAtVersion(client, index, hits);
    await client.indices.refresh({ index });
    return purged;
  } finally {
    await client.close();
  }
}

async function deleteAtVersion(client: Client, index: string, hits: Array<{ _id?: string; _version?: number }>): Promise<number> {
  const response = await client.bulk({ operations: hits.map((h) => ({ delete: { _index: index, _id: h._id!, version: h._version, version_type: 'external_gte' as const } })) });
  const failed = response.items.filter((item) => item.delete!.status >= 300 && item.delete!.status !== 409);
  if (failed.length > 0) throw new WharfError(`${failed.length} tombstone(s) not deleted: ${JSON.stringify(failed[0].delete!.error)}`, { retriable: true });
  return response.items.filter((item) => item.delete!.status < 300).length;
}
