/**
 * The CouchDB sink's server is usable when it answers with its welcome and the database list
 * (credentials included); refused credentials and untrusted certificates are named as such.
 */
import { ServiceUnavailableError } from '../../errors';
import { serviceCheck, type ServiceCheck } from '../../health/check';
import { safeUrl } from '../../log';
import { couchRefusal } from './answers';
import { createCouchdb } from './client';
import type { CouchdbSinkConfig } from './config';

export function couchdbCheck(sink: CouchdbSinkConfig): ServiceCheck {
  const service = `sink:${sink.id}`;
  const couch = createCouchdb(sink);
  return serviceCheck(service, safeUrl(sink.url), async () => {
    try {
      const welcome = (await couch.request({ path: '' })) as { version?: string; vendor?: { name?: string } };
      const dbs = await couch.db.list();
      return `${welcome.vendor?.name ?? 'couchdb'} ${welcome.version ?? '?'}, ${dbs.length} database(s)`;
    } catch (err) {
      const refused = couchRefusal(err, sink.db);
      throw refused ? new ServiceUnavailableError(service, refused, err) : err;
    }
  });
}
