/**
 * Where the Elasticsearch sink keeps documents, so that a deletion always wins and searches
 * never see one (docs/deletions.md):
 *   - the documents, live ones and tombstones (`wharf.deleted: true`), are in the store index
 *     `<index>-store`, all written with external versions;
 *   - the sink's `index` is a filtered alias over it that leaves tombstones out: searches, counts
 *     and aggregations through it see live documents only.
 * A tombstone is a document, not an Elasticsearch delete, because Elasticsearch forgets a
 * deleted document's version after `index.gc_deletes` (60 s) and on a node restart; a late older
 * write would then bring the document back. `wharf purge-tombstones` removes old tombstones.
 */
import { errors, type Client } from '@elastic/elasticsearch';
import type { ElasticsearchSinkConfig } from './config';

export function storeIndexName(index: string): string {
  return `${index}-store`;
}

/** The alias filter: everything but tombstones. */
export const LIVE_DOCUMENTS = { bool: { must_not: { term: { 'wharf.deleted': true } } } };

/** wharf's own fields, mapped so that the filter and the purge query work before the first tombstone. */
const WHARF_MAPPING = {
  properties: {
    wharf: {
      properties: {
        id: { type: 'keyword' },
        source: { type: 'keyword' },
        version: { type: 'keyword' },
        deleted: { type: 'boolean' },
        ingestedAt: { type: 'date' },
        partition: { type: 'integer' },
        offset: { type: 'keyword' },
      },
    },
  },
};

/** Index mappings: the operator's, with wharf's own fields added. */
export function storeMappings(mappings: Record<string, unknown> | undefined): Record<string, unknown> {
  const own = (mappings?.properties ?? {}) as Record<string, unknown>;
  return { ...mappings, properties: { ...own, ...WHARF_MAPPING.properties } };
}

/** Why the store cannot be prepared, when an operator must act; undefined when it is ready. */
export type StoreProblem = string | undefined;

/**
 * Creates the store index with its alias when missing, or puts the alias back on an existing
 * store. An `index` that is a concrete index (written by a wharf before tombstones) is the
 * operator's to migrate: it is never renamed or deleted here.
 */
export async function prepareStore(client: Client, config: ElasticsearchSinkConfig): Promise<StoreProblem> {
  const store = storeIndexName(config.index);
  if (await client.indices.exists({ index: store })) {
    await client.indices.putAlias({ index: store, name: config.index, filter: LIVE_DOCUMENTS, is_write_index: true });
    return undefined;
  }
  if (await isConcreteIndex(client, config.index)) {
    return `index ${config.index} is a concrete index; wharf keeps documents in ${store} behind a filtered alias named ${config.index} (see "Migrating an index" in docs/deletions.md)`;
  }
  try {
    await client.indices.create({
      index: store,
      mappings: storeMappings(config.mappings),
      settings: config.settings,
      aliases: { [config.index]: { filter: LIVE_DOCUMENTS, is_write_index: true } },
    });
  } catch (err) {
    const body = err instanceof errors.ResponseError ? (err.body as { error?: { type?: string } } | undefined) : undefined;
    if (body?.error?.type !== 'resource_already_exists_exception') throw err; // another writer created it first
  }
  return undefined;
}

async function isConcreteIndex(client: Client, name: string): Promise<boolean> {
  if (!(await client.indices.exists({ index: name }))) return false;
  return !(await client.indices.existsAlias({ name }));
}
