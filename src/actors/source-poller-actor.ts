/**
 * One source poller per configured source. Loop: load the cursor from ZooKeeper, fetch the page
 * after it, produce its records to Kafka and wait for the acknowledgement, only then save the
 * next cursor (compare-and-set); follow pages while the upstream has more, then wait
 * `intervalMs`. A crash anywhere before the save re-fetches the same page on restart: Kafka may
 * see a record twice, but every sink writes it under the same id, so no document is duplicated
 * and none is lost. Records that cannot be produced (no id, too large) go to the dead-letter
 * topic. Upstream and Kafka failures are retried with backoff and logged, never crash-looped.
 *
 * Settings: `{ source, kafka, zookeeper }` (sections of the wharf configuration).
 */
import { createKafka } from '../clients/kafka';
import { connectZookeeper, type ZookeeperClient } from '../clients/zookeeper';
import type { KafkaConfig, SourceConfig, ZookeeperConfig } from '../config/schema';
import { CursorConflictError, CursorStore } from '../coordination/cursor-store';
import { describeError } from '../errors';
import { sendDeadLetters, type DeadLetter } from '../kafka/dead-letter';
import { RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { recordId, toMessage, type WireRecord } from '../kafka/wire-record';
import { sleep } from '../retry';
import { createSourceAdapter } from '../sources/create-source';
import { SourceUnavailableError, type SourceAdapter, type SourcePage } from '../sources/source-adapter';
import { backoffDelay, DEFAULT_BACKOFF } from '../supervisors/backoff';
import { WharfActor } from '../supervisors/wharf-actor';
import { KafkaUnavailableError } from '../kafka/record-producer';
import { METRICS } from '../metrics/catalog';
import { counter, gauge } from '../metrics/process-registry';

interface PollerSettings {
  source: SourceConfig;
  kafka: KafkaConfig;
  zookeeper: ZookeeperConfig;
}

export default class SourcePollerActor extends WharfActor<PollerSettings> {
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private producer?: RecordProducer;
  private zk?: ZookeeperClient;
  private cursorAdvancedAt = Date.now();
  private cursorAgeTimer?: NodeJS.Timeout;

  protected override async start({ source, kafka, zookeeper }: PollerSettings): Promise<void> {
    const client = createKafka(kafka, this.log, `${kafka.clientId}-poller-${source.id}`);
    await ensureWharfTopics(client, kafka, this.log);
    this.producer = new RecordProducer(client, { sendTimeoutMs: kafka.requestTimeoutMs + 15_000 });
    await this.producer.connect();
    this.zk = await connectZookeeper(zookeeper);
    const cursors = new CursorStore(this.zk, zookeeper.root);
    this.cursorAgeTimer = setInterval(() => gauge(METRICS.sourceCursorAge).set({ source: source.id }, (Date.now() - this.cursorAdvancedAt) / 1000), 1000);
    this.loop = this.run(createSourceAdapter(source), cursors, source, kafka);
  }

  protected override async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.cursorAgeTimer);
    await this.loop;
    await this.producer?.disconnect();
    this.zk?.close();
  }

  private async run(adapter: SourceAdapter, cursors: CursorStore, source: SourceConfig, kafka: KafkaConfig): Promise<void> {
    let failures = 0;
    let stored = await this.untilStopped(() => cursors.load(source.id));
    if (stored?.updatedAt) this.cursorAdvancedAt = Date.parse(stored.updatedAt) || Date.now();
    while (!this.stopping.signal.aborted && stored) {
      try {
        const page = await adapter.fetch(stored.cursor);
        counter(METRICS.sourceRecordsPolled).inc({ source: source.id }, page.records.length + page.malformed.length);
        await this.produce(page, source, kafka);
        failures = 0;
        if (page.nextCursor !== null && page.nextCursor !== stored.cursor) {
          const version = await cursors.save(source.id, page.nextCursor, stored.version);
          stored = { cursor: page.nextCursor, version };
          this.cursorAdvancedAt = Date.now();
          gauge(METRICS.sourceLastSuccess).set({ source: source.id }, Date.now() / 1000);
          continue; // the upstream may have more pages
        }
        gauge(METRICS.sourceLastSuccess).set({ source: source.id }, Date.now() / 1000);
        await sleep(source.intervalMs, this.stopping.signal);
      } catch (err) {
        counter(METRICS.sourcePollErrors).inc({ source: source.id, kind: pollErrorKind(err) });
        if (err instanceof CursorConflictError) {
          this.log.warn({ source: source.id }, 'cursor moved by another instance; reloading it');
          stored = await this.untilStopped(() => cursors.load(source.id));
          continue;
        }
        const retryAfterMs = err instanceof SourceUnavailableError ? err.retryAfterMs : undefined;
        const delayMs = retryAfterMs ?? backoffDelay({ ...DEFAULT_BACKOFF, minMs: 500, maxMs: 60_000 }, failures);
        failures++;
        this.log.warn({ source: source.id, attempt: failures, retryInMs: delayMs, err: describeError(err) }, 'poll failed, retrying');
        await sleep(delayMs, this.stopping.signal);
      }
    }
  }

  private async produce(page: SourcePage, source: SourceConfig, kafka: KafkaConfig): Promise<void> {
    const ingestedAt = new Date().toISOString();
    const letters: DeadLetter[] = page.malformed.map((m) => ({
      record: m.raw,
      source: source.id,
      stage: 'intake',
      error: m.reason,
      attempts: 1,
      time: ingestedAt,
    }));
    const messages = [];
    for (const { upstreamId, payload } of page.records) {
      const record: WireRecord = { id: recordId(source.id, upstreamId), source: source.id, ingestedAt, payload };
      const message = toMessage(record);
      const bytes = Buffer.byteLength(message.value);
      if (bytes > source.maxRecordBytes) {
        letters.push({ record, recordId: record.id, source: source.id, stage: 'intake', error: `record of ${bytes} bytes exceeds maxRecordBytes ${source.maxRecordBytes}`, attempts: 1, time: ingestedAt });
      } else messages.push(message);
    }
    await this.producer!.send(kafka.topic, messages);
    counter(METRICS.sourceRecordsProduced).inc({ source: source.id }, messages.length);
    if (letters.length > 0) await sendDeadLetters(this.producer!, kafka.dlqTopic, letters);
    if (messages.length > 0 || letters.length > 0) {
      this.log.debug({ source: source.id, produced: messages.length, deadLettered: letters.length }, 'page produced');
    }
  }

  /** Retries an operation until it succeeds or the actor stops (undefined then). */
  private async untilStopped<T>(operation: () => Promise<T>): Promise<T | undefined> {
    for (let failures = 0; !this.stopping.signal.aborted; failures++) {
      try {
        return await operation();
      } catch (err) {
        const delayMs = backoffDelay(DEFAULT_BACKOFF, failures);
        this.log.warn({ attempt: failures + 1, retryInMs: delayMs, err: describeError(err) }, 'cursor store unavailable, retrying');
        await sleep(delayMs, this.stopping.signal);
      }
    }
    return undefined;
  }
}

function pollErrorKind(err: unknown): string {
  if (err instanceof SourceUnavailableError) return err.retryAfterMs !== undefined ? 'upstream-throttled' : 'upstream';
  if (err instanceof KafkaUnavailableError) return 'kafka';
  if (err instanceof CursorConflictError) return 'cursor-conflict';
  return 'cursor-store';
}
