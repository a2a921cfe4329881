/** The `couchdb` sink type. */
import { defineSink } from '../sink-type';
import { CouchdbSinkSchema } from './config';
import { couchdbCheck } from './health';
import { CouchdbReader } from './reader';
import { CouchdbWriter } from './writer';

export const couchdbSink = defineSink({ type: 'couchdb', schema: CouchdbSinkSchema, Writer: CouchdbWriter, Reader: CouchdbReader, healthCheck: couchdbCheck });
