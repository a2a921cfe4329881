/**
 * `wharf restore --from-archive`: re-delivers what the HDFS archive holds into one sink, for
 * when Kafka no longer holds the records (its retention passed) and a sink lost its data. Every
 * archived document becomes the wire record it was written from (id, source, ingest time, the
 * record's own fields, its version) and goes through the pipeline's one delivery path
 * (pipeline/delivery.ts) as a batch of its partition: same writer, same ids, same dead letters,
 * and the sink's own newest-version rule, so that of all the versions the archive holds, the
 * newest wins whatever order the files come in.
 *
 * Files are restored one after the other (source, day, then partition and range order); each
 * one finished is reported through `onFileDone` (the command keeps them in a state file), so an
 * interrupted run (SIGINT, a sink down past the deadline) resumes after the last finished file.
 * A file is re-delivered whole if it was cut short: harmless, the sink writes by id and version.
 */
import type { ConsumedMessage } from '../kafka/record-consumer';
import type { WireRecord } from '../records/wire-record';
import { archivedFiles, readDocuments, type ArchivedFile, type ArchiveFilter } from '../sinks/hdfs/archive-files';
import { createWebHdfs } from '../sinks/hdfs/client';
import type { HdfsSinkConfig } from '../sinks/hdfs/config';
import type { SinkConfig } from '../sinks/registry';
import { addDelivered, emptyOutcome, jobDelivery, type RedeliveryJob, type RedeliveryOutcome } from './redeliver';

const BATCH = 500;

export interface RestoreJob {
  job: RedeliveryJob;
  archive: HdfsSinkConfig;
  sink: SinkConfig;
  files: readonly ArchivedFile[];
  /** Fires to stop after the batch in flight (SIGINT). */
  signal: AbortSignal;
  onFileDone: (file: ArchivedFile, documents: number) => void;
}

export type RestoreOutcome = RedeliveryOutcome & { files: number; documents: number; interrupted: boolean };

/** The archived files a restore would read, in the order it reads them. */
export async function filesToRestore(archive: HdfsSinkConfig, filter: ArchiveFilter): Promise<ArchivedFile[]> {
  const hdfs = createWebHdfs(archive);
  try {
    const files: ArchivedFile[] = [];
    for await (const file of archivedFiles(hdfs, archive.path, filter)) files.push(file);
    return files;
  } finally {
    await hdfs.close();
  }
}

/** An archived document (a tombstone too) as the Kafka message it was delivered from; null for a line that is not a wharf document. */
export function documentMessage(doc: Record<string, unknown>): ConsumedMessage | null {
  const { wharf, ...payload } = doc;
  const meta = wharf as { id?: unknown; source?: unknown; ingestedAt?: unknown; offset?: unknown; version?: unknown; deleted?: unknown } | undefined;
  if (typeof meta?.id !== 'string' || typeof meta.source !== 'string' || typeof meta.offset !== 'string' || typeof meta.version !== 'string') return null;
  const wire: WireRecord = { id: meta.id, source: meta.source, ingestedAt: String(meta.ingestedAt), payload, version: meta.version };
  if (meta.deleted === true) wire.deleted = true;
  return { key: Buffer.from(meta.id), value: Buffer.from(JSON.stringify(wire)), offset: meta.offset };
}

export async function restoreFromArchive({ job, archive, sink, files, signal, onFileDone }: RestoreJob): Promise<RestoreOutcome> {
  const hdfs = createWebHdfs(archive);
  const delivery = jobDelivery(job, [sink]);
  const outcome: RestoreOutcome = { ...emptyOutcome([sink]), files: 0, documents: 0, interrupted: false };
  try {
    for (const file of files) {
      if (signal.aborted) break;
      const messages = (await readDocuments(hdfs, file)).map(documentMessage).filter((m): m is ConsumedMessage => m !== null);
      let sent = 0;
      for (; sent < messages.length && !signal.aborted; sent += BATCH) {
        const delivered = await delivery.deliver({ partition: file.partition, messages: messages.slice(sent, sent + BATCH), signal });
        if (!delivered.delivered) break;
        addDelivered(outcome, delivered);
      }
      if (sent < messages.length || signal.aborted) break;
      outcome.files++;
      outcome.documents += messages.length;
      onFileDone(file, messages.length);
      job.onProgress(1);
    }
  } finally {
    await delivery.close();
    await hdfs.close();
  }
  outcome.interrupted = outcome.files < files.length;
  return outcome;
}
