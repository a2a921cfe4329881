/** Picks the source adapter for a configured source by its `type`. */
import type { SourceConfig } from '../config/schema';
import { CouchdbChangesSource } from './couchdb-changes/source';
import { HttpJsonSource } from './http-json/source';
import { NdjsonFilesSource } from './ndjson-files/source';
import type { SourceAdapter } from './source-adapter';

export function createSourceAdapter(source: SourceConfig): SourceAdapter {
  switch (source.type) {
    case 'http-json':
      return new HttpJsonSource(source);
    case 'ndjson-files':
      return new NdjsonFilesSource(source);
    case 'couchdb-changes':
      return new CouchdbChangesSource(source);
  }
}
