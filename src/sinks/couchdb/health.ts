/** The CouchDB sink's server is usable when it answers with its welcome and the database list (credentials included). */
import { serviceCheck, type ServiceCheck } from '../../health/check';
import { safeUrl } from '../../log';
import { createCouchdb } from './client';
import type { CouchdbSinkConfig } from './config';

export function couchdbCheck(sink: CouchdbSinkConfig): ServiceCheck {
  const couch = createCouchdb(sink);
  return serviceCheck(`sink:${sink.id}`, safeUrl(sink.url), async () => {
    const welcome = (await couch.request({ path: '' })) as { version?: string; vendor?: { name?: string } };
    const dbs = await couch.db.list();
    return `${welcome.vendor?.name ?? 'couchdb'} ${welcome.version ?? '?'}, ${dbs.length} database(s)`;
  });
}
