/** The `couchdb` sink type. */
import { defineSink } from '../sink-type';
import type { CouchdbSinkConfig } from './config';
import { couchdbCheck } from './health';
import { CouchdbReader } from './reader';
import { CouchdbWriter } from './writer';

export const couchdbSink = defineSink<CouchdbSinkConfig>({ Writer: CouchdbWriter, Reader: CouchdbReader, healthCheck: couchdbCheck });
