/** The `hdfs` archive sink type. */
import { defineSink } from '../sink-type';
import type { HdfsSinkConfig } from './config';
import { hdfsCheck } from './health';
import { HdfsReader } from './reader';
import { HdfsWriter } from './writer';

export const hdfsSink = defineSink<HdfsSinkConfig>({ Writer: HdfsWriter, Reader: HdfsReader, healthCheck: hdfsCheck });
