/**
 * Every hit of a query over an index, page by page, as one consistent view whatever is written
 * meanwhile: a point in time paged with `search_after`, sorted by `_shard_doc` (index order, the
 * cheapest sort there is), with `_version`. The index is refreshed first, so every write
 * Elasticsearch acknowledged is in the view. Used to list what the sink holds (reader.ts) and to
 * find old tombstones (purge.ts).
 */
import type { Client, estypes } from '@elastic/elasticsearch';

const PAGE = 1000;
/** How long the point in time lives between two pages. */
const KEEP_ALIVE = '2m';

export async function* scanPages<Source>(
  client: Client,
  index: string,
  request: { query?: estypes.QueryDslQueryContainer; source?: boolean } = {},
): AsyncIterable<Array<estypes.SearchHit<Source>>> {
  if (!(await client.indices.exists({ index }))) return;
  await client.indices.refresh({ index });
  let pit = (await client.openPointInTime({ index, keep_alive: KEEP_ALIVE })).id;
  try {
    let after: estypes.SortResults | undefined;
    for (;;) {
      const page = await client.search<Source>({
        pit: { id: pit, keep_alive: KEEP_ALIVE },
        size: PAGE,
        sort: ['_shard_doc'],
        search_after: after,
        version: true,
        track_total_hits: false,
        query: request.query,
        _source: request.source,
      });
      pit = page.pit_id ?? pit;
      const hits = page.hits.hits;
      if (hits.length > 0) yield hits;
      if (hits.length < PAGE) return;
      after = hits[hits.length - 1].sort;
    }
  } finally {
    await client.closePointInTime({ id: pit }).catch(() => undefined);
  }
}
