/** How many documents an index and a database hold (Elasticsearch refreshed first, so all count). */
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import type { LocalStack } from './stack';

export interface SinkNames {
  index: string;
  database: string;
}

/** Without a database, its count is NaN. */
export async function countDocuments(stack: LocalStack, target: SinkNames | { index: string; database?: undefined }): Promise<{ elasticsearch: number; couchdb: number }> {
  const es = createElasticsearch(stack.elasticsearch);
  try {
    await es.indices.refresh({ index: target.index });
    const [{ count }, couchdb] = await Promise.all([
      es.count({ index: target.index }),
      target.database === undefined ? NaN : createCouchdb(stack.couchdb).use(target.database).info().then((info) => info.doc_count),
    ]);
    return { elasticsearch: count, couchdb };
  } finally {
    await es.close();
  }
}
