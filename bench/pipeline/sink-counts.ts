/** How many documents an index and a database hold (Elasticsearch refreshed first, so all count). */
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import type { LocalStack } from './stack';

export interface SinkNames {
  index: string;
  database: string;
}

export async function countDocuments(stack: LocalStack, target: SinkNames): Promise<{ elasticsearch: number; couchdb: number }> {
  const es = createElasticsearch(stack.elasticsearch);
  try {
    await es.indices.refresh({ index: target.index });
    const [{ count }, info] = await Promise.all([es.count({ index: target.index }), createCouchdb(stack.couchdb).use(target.database).info()]);
    return { elasticsearch: count, couchdb: info.doc_count };
  } finally {
    await es.close();
  }
}
