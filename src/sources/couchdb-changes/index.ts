/** The `couchdb-changes` source type. */
import { defineSource } from '../source-type';
import { CouchdbChangesSourceSchema } from './config';
import { CouchdbChangesSource } from './source';

export const couchdbChangesSource = defineSource({
  type: 'couchdb-changes',
  schema: CouchdbChangesSourceSchema,
  createAdapter: (config) => new CouchdbChangesSource(config),
});
