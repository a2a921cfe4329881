/**
 * Lists what the Elasticsearch sink's store index holds (tombstones included: store-index.ts),
 * for `wharf verify`, one consistent view (pit-scan.ts). `_version` is the record's version:
 * the writer indexes with external versioning. The record id is read from `_source.wharf.id`,
 * because ids over 512 bytes are stored as a digest (`elasticsearchId`).
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { contentHash, isTombstone } from '../../records/document';
import { createElasticsearch } from './client';
import type { ElasticsearchSinkConfig } from './config';
import { scanPages } from './pit-scan';
import { storeIndexName } from './store-index';
import type { SinkReader, StoredDocument } from '../sink-reader';

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
    for await (const hits of scanPages<Source>(this.client, storeIndexName(this.config.index))) {
      for (const hit of hits) yield stored(hit);
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
