/** Picks the sink writer for a configured sink by its `type`. */
import type { SinkConfig } from '../config/schema';
import { CouchdbWriter } from './couchdb/writer';
import { ElasticsearchWriter } from './elasticsearch/writer';
import type { SinkWriter } from './sink-writer';

export function createSinkWriter(sink: SinkConfig): SinkWriter {
  switch (sink.type) {
    case 'elasticsearch':
      return new ElasticsearchWriter(sink);
    case 'couchdb':
      return new CouchdbWriter(sink);
  }
}
