/** The `couchdb-changes` source type. */
import { defineSource } from '../source-type';
import type { CouchdbChangesSourceConfig } from './config';
import { CouchdbChangesSource } from './source';

export const couchdbChangesSource = defineSource<CouchdbChangesSourceConfig>({
  createAdapter: (config) => new CouchdbChangesSource(config),
});
