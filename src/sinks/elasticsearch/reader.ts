/**
 * Lists what the Elasticsearch sink's store index holds (tombstones included: store-index.ts),
 * for `wharf verify`: a point in time (so the
 * listing is one consistent view, whatever is written meanwhile) paged with `search_after`,
 * sorted by `_shard_doc` (index order: the cheapest sort there is), `version: true` (`_version`
 * is the record's version: the writer indexes with external versioning). The record id is read
 * from `_source.wharf.id`, because ids over 512 bytes are stored as a digest (`elasticsearchId`).
 * The index is refreshed first, so every write Elasticsearch acknowledged is in the view.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { contentHash, isTombstone } from '../../records/document';
import { createElasticsearch } from './client';
import type { ElasticsearchSinkConfig } from './config';
import { storeIndexName } from './store-index';
import type { SinkReader, StoredDocument } from '../sink-reader';

const PAGE = 1000;
/** How long the point in time lives between two pages. */
const KEEP_ALIVE = '2m';

type Source = Record<string, unknown> & { wharf?: { id?: unknown } };

export class ElasticsearchReader implements SinkReader {
  constructor(
    private readonly config: ElasticsearchSinkConfig,
    private readonly client: Client = createElasticsearch(config),
  ) {}

  get id(): string {
    return this.config.id;
  }

  async *scan(): AsyncIterable<StoredDocument> {
    const store = storeIndexName(this.config.index);
    if (!(await this.client.indices.exists({ index: store }))) return;
    await this.client.indices.refresh({ index: store });
    let pit = (await this.client.openPointInTime({ index: store, keep_alive: KEEP_ALIVE })).id;
    try {
      let after: estypes.SortResults | undefined;
      for (;;) {
        const page = await this.client.search<Source>({
          pit: { id: pit, keep_alive: KEEP_ALIVE },
          size: PAGE,
          sort: ['_shard_doc'],
          search_after: after,
          version: true,
          track_total_hits: false,
        });
        pit = page.pit_id ?? pit;
        const hits = page.hits.hits;
        for (const hit of hits) yield stored(hit);
        if (hits.length < PAGE) return;
        after = hits[hits.length - 1].sort;
      }
    } finally {
      await this.client.closePointInTime({ id: pit }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function stored(hit: estypes.SearchHit<Source>): StoredDocument {
  const source = hit._source ?? {};
  const id = typeof source.wharf?.id === 'string' ? source.wharf.id : hit._id!;
  return { id, version: hit._version === undefined ? null : String(hit._version), hash: contentHash(source), deleted: isTombstone(source) };
}
