/** The `hdfs` archive sink type. */
import { defineSink } from '../sink-type';
import { HdfsSinkSchema } from './config';
import { hdfsCheck } from './health';
import { HdfsReader } from './reader';
import { HdfsWriter } from './writer';

export const hdfsSink = defineSink({ type: 'hdfs', schema: HdfsSinkSchema, Writer: HdfsWriter, Reader: HdfsReader, healthCheck: hdfsCheck });
