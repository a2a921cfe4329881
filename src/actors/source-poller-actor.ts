/**
 * One source poller per configured source. Loop: load the cursor from ZooKeeper, fetch the page
 * after it, produce its records to Kafka and wait for the acknowledgement, only then save the
 * next cursor (compare-and-set); follow pages while the upstream has more, then wait
 * `intervalMs`. A crash anywhere before the save re-fetches the same page on restart: Kafka may
 * see a record twice, but every sink writes it under the same id, so no document is duplicated
 * and none is lost. Records that cannot be produced (no id, too large) go to the dead-letter
 * topic. Upstream and Kafka failures are retried with backoff and logged, never crash-looped.
 *
 * Only one wharf instance polls a source at a time: the one holding its ZooKeeper lease
 * (coordination/source-lease.ts); the others stand by and take over when its session ends. When
 * this instance's own session expires, polling stops at once and resumes only once a new
 * session holds the lease again, from the cursor as stored then.
 *
 * Settings: `{ source, kafka, zookeeper }` (sections of the wharf configuration).
 */
import { createKafka } from '../kafka/client';
import { connectZookeeper } from '../coordination/zookeeper';
import type { KafkaConfig, SourceConfig, ZookeeperConfig } from '../config/schema';
import { CursorConflictError, CursorStore } from '../coordination/cursor-store';
import { SourceLease } from '../coordination/source-lease';
import { describeError } from '../errors';
import { sendDeadLetters, type DeadLetter } from '../records/dead-letter';
import { RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { recordId, toMessage, type WireRecord } from '../records/wire-record';
import { sleep } from '../retry/retry';
import { createSourceAdapter } from '../sources/registry';
import { SourceUnavailableError, type SourceAdapter, type SourcePage } from '../sources/source-adapter';
import { backoffDelay, DEFAULT_BACKOFF } from '../retry/backoff';
import { WharfActor } from './wharf-actor';
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
  private cursorAdvancedAt = Date.now();
  private cursorAgeTimer?: NodeJS.Timeout;

  protected override async start({ source, kafka, zookeeper: zk }: PollerSettings): Promise<void> {
    const client = createKafka(kafka, this.log, `${kafka.clientId}-poller-${source.id}`);
    await ensureWharfTopics(client, kafka, this.log);
    this.producer = new RecordProducer(client, { sendTimeoutMs: kafka.requestTimeoutMs + 15_000, compression: kafka.compression });
    await this.producer.connect();
    this.cursorAgeTimer = setInterval(() => gauge(METRICS.sourceCursorAge).set({ source: source.id }, (Date.now() - this.cursorAdvancedAt) / 1000), 1000);
    this.loop = this.runSessions(createSourceAdapter(source), source, kafka, zk);
  }

  protected override async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.cursorAgeTimer);
    await this.loop;
    await this.producer?.disconnect();
  }

  /** One ZooKeeper session after another: hold the source's lease, poll until the session ends. */
  private async runSessions(adapter: SourceAdapter, source: SourceConfig, kafka: KafkaConfig, zk: ZookeeperConfig): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const client = await this.untilStopped(this.stopping.signal, () => connectZookeeper(zk));
      if (!client) return;
      const session = new AbortController();
      const endSession = () => session.abort();
      this.stopping.signal.addEventListener('abort', endSession);
      client.once('expired', () => {
        this.log.warn({ source: source.id }, 'ZooKeeper session expired: polling stops until a new session holds the source');
        session.abort();
      });
      const lease = new SourceLease(client, zk.root, source.id);
      try {
        const held = await lease.acquire(session.signal, (holder) =>
          this.log.info({ source: source.id, holder: holder?.instance, since: holder?.since }, 'another instance polls this source; standing by'),
        );
        if (held) {
          this.log.info({ source: source.id }, 'this instance polls the source');
          await this.run(adapter, new CursorStore(client, zk.root), source, kafka, session.signal);
        }
      } catch (err) {
        this.log.warn({ source: source.id, err: describeError(err) }, 'ZooKeeper coordination failed; starting a new session');
        await sleep(1000, this.stopping.signal);
      } finally {
        this.stopping.signal.removeEventListener('abort', endSession);
        if (this.stopping.signal.aborted) await lease.release();
        client.close();
      }
    }
  }

  private async run(adapter: SourceAdapter, cursors: CursorStore, source: SourceConfig, kafka: KafkaConfig, signal: AbortSignal): Promise<void> {
    let failures = 0;
    let stored = await this.untilStopped(signal, () => cursors.load(source.id));
    if (stored?.updatedAt) this.cursorAdvancedAt = Date.parse(stored.updatedAt) || Date.now();
    while (!signal.aborted && stored) {
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
        await sleep(source.intervalMs, signal);
      } catch (err) {
        counter(METRICS.sourcePollErrors).inc({ source: source.id, kind: pollErrorKind(err) });
        if (err instanceof CursorConflictError) {
          this.log.warn({ source: source.id }, 'cursor moved by another instance; reloading it');
          stored = await this.untilStopped(signal, () => cursors.load(source.id));
          continue;
        }
        const retryAfterMs = err instanceof SourceUnavailableError ? err.retryAfterMs : undefined;
        const delayMs = retryAfterMs ?? backoffDelay({ ...DEFAULT_BACKOFF, minMs: 500, maxMs: 60_000 }, failures);
        failures++;
        this.log.warn({ source: source.id, attempt: failures, retryInMs: delayMs, err: describeError(err) }, 'poll failed, retrying');
        await sleep(delayMs, signal);
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

  /** Retries an operation until it succeeds or the signal aborts (undefined then). */
  private async untilStopped<T>(signal: AbortSignal, operation: () => Promise<T>): Promise<T | undefined> {
    for (let failures = 0; !signal.aborted; failures++) {
      try {
        return await operation();
      } catch (err) {
        const delayMs = backoffDelay(DEFAULT_BACKOFF, failures);
        this.log.warn({ attempt: failures + 1, retryInMs: delayMs, err: describeError(err) }, 'ZooKeeper unavailable, retrying');
        await sleep(delayMs, signal);
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
