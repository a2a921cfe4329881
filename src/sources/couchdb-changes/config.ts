/** The `couchdb-changes` source's configuration keys. */
import { z } from 'zod';
import { checkCouchdbDatabase, couchdbDatabase, durationMs, idAndType } from '../../util/config-fields';
import { maxRecordBytes, sourceId, versionField } from '../config-fields';
import { LONGPOLL_GRACE_MS } from './longpoll';

export const CouchdbChangesSourceSchema = z
  .strictObject({
    ...idAndType(sourceId, 'couchdb-changes', 'couchdb-changes source'),
    ...couchdbDatabase({
      url: 'The CouchDB server, e.g. "https://couch.example.com:6984"; credentials go in username/password.',
      db: 'The database whose changes feed is followed.',
    }),
    batchSize: z.int().min(1).max(10_000).default(500).describe('Changes per request (`limit`).'),
    // Also bounds how long a stopping poller waits for its request to end.
    longpollTimeoutMs: durationMs(300_000)
      .default(5000)
      .describe('How long, in ms, an idle feed waits server-side for a change (`feed=longpoll&timeout=`).'),
    intervalMs: durationMs(86_400_000)
      .default(1000)
      .describe('Pause, in ms, after a longpoll that brought nothing, before the next one.'),
    requestTimeoutMs: durationMs(600_000)
      .default(30_000)
      .describe(`Timeout of one request, in ms; must exceed longpollTimeoutMs + ${LONGPOLL_GRACE_MS}.`),
    includeDesignDocs: z.boolean().default(false).describe('Whether `_design/` documents become records.'),
    maxRecordBytes,
    versionField,
  })
  .superRefine((source, ctx) => {
    checkCouchdbDatabase(source, ctx);
    if (source.requestTimeoutMs <= source.longpollTimeoutMs + LONGPOLL_GRACE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['requestTimeoutMs'],
        message: `must exceed longpollTimeoutMs + ${LONGPOLL_GRACE_MS} (${source.longpollTimeoutMs + LONGPOLL_GRACE_MS}), got ${source.requestTimeoutMs}`,
      });
    }
  })
  .describe('Follows one CouchDB database\'s `_changes` feed (winning revisions; deletions are not propagated).');

export type CouchdbChangesSourceConfig = z.output<typeof CouchdbChangesSourceSchema>;
