/** The `couchdb` sink's configuration keys. */
import { z } from 'zod';
import { checkCouchdbDatabase, couchdbDatabase, idAndType } from '../../util/config-fields';
import { sinkId, writerLimits } from '../config-fields';

export const CouchdbSinkSchema = z
  .strictObject({
    ...idAndType(sinkId, 'couchdb', 'CouchDB sink'),
    ...couchdbDatabase({ url: 'The CouchDB server, an http:// or https:// URL.', db: 'The database written to; created if missing.' }),
    ...writerLimits,
  })
  .superRefine(checkCouchdbDatabase)
  .describe('Writes each record as a document under its record id (`_bulk_docs`); an existing document is updated only if its content changed.');

export type CouchdbSinkConfig = z.output<typeof CouchdbSinkSchema>;
