/**
 * How long past its `timeout` a longpoll may stay open before wharf ends it as idle: CouchDB
 * answers by itself at `timeout`, pouchdb-server ignores it and waits for the next change.
 * The source uses it and the configuration checks requestTimeoutMs against it; it is a file of
 * its own so that the poller process does not load the configuration schema (and zod).
 */
export const LONGPOLL_GRACE_MS = 2000;
