/**
 * One source poller per configured source. Loop: load the cursor from ZooKeeper, fetch the page
 * after it, produce its records to Kafka and wait for the acknowledgement (pipeline/intake.ts
 * decides what becomes a record and what a dead letter), only then save the next cursor
 * (compare-and-set); follow pages while the upstream has more, then wait `intervalMs`. A crash
 * anywhere before the save re-fetches the same page on restart: Kafka may see a record twice,
 * but every sink writes it under the same id, so no document is duplicated and none is lost.
 * Upstream and Kafka failures are retried with backoff (RETRY_POLICIES.sourcePoll, or the
 * upstream's Retry-After) and logged, never crash-looped.
 *
 * Only one wharf instance polls a source at a time: the one holding its ZooKeeper lease
 * (coordination/source-lease.ts); the others stand by and take over when its session ends. When
 * this instance's own session expires, polling stops at once and resumes only once a new
 * session holds the lease again, from the cursor as stored then.
 *
 * Settings: `{ source, kafka, zookeeper }` (sections of the wharf configuration).
 */
import type { ZookeeperConfig } from '../coordination/config';
import { CursorConflictError, CursorStore, type StoredCursor } from '../coordination/cursor-store';
import { SourceLease } from '../coordination/source-lease';
import { connectZookeeper } from '../coordination/zookeeper';
import { describeError, OperationAbortedError } from '../errors';
import { KafkaClient } from '../kafka/client';
import type { KafkaConfig } from '../kafka/config';
import { KafkaUnavailableError, RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { METRICS } from '../metrics/catalog';
import { counter, gauge } from '../metrics/process-registry';
import { publishDeadLetters } from '../pipeline/dead-letters';
import { intakeBatch } from '../pipeline/intake';
import { RETRY_POLICIES } from '../retry/policies';
import { retry, sleep } from '../retry/retry';
import { createSourceAdapter, type SourceConfig } from '../sources/registry';
import { SourceUnavailableError, type SourceAdapter } from '../sources/source-adapter';
import { WharfActor } from './wharf-actor';

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
    const client = new KafkaClient(kafka, this.log, `poller-${source.id}`);
    await ensureWharfTopics(client);
    this.producer = new RecordProducer(client);
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
      const client = await this.coordinate('opening a ZooKeeper session', this.stopping.signal, () => connectZookeeper(zk));
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
          await this.poll(adapter, new CursorStore(client, zk.root), source, kafka, session.signal);
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

  /** Polls page after page while the session holds the lease. */
  private async poll(adapter: SourceAdapter, cursors: CursorStore, source: SourceConfig, kafka: KafkaConfig, signal: AbortSignal): Promise<void> {
    const load = () => this.coordinate('loading the cursor', signal, () => cursors.load(source.id));
    let stored = await load();
    if (stored?.updatedAt) this.cursorAdvancedAt = Date.parse(stored.updatedAt) || Date.now();
    while (!signal.aborted && stored) {
      try {
        const next = await retry(() => this.pollOnce(adapter, cursors, source, kafka, stored!), {
          what: `polling source ${source.id}`,
          policy: RETRY_POLICIES.sourcePoll,
          signal,
          // Every failure but a moved cursor is retried: the upstream, Kafka or ZooKeeper may come back.
          retryOn: (err) => !(err instanceof CursorConflictError),
          onRetry: ({ attempt, delayMs, error }) => {
            counter(METRICS.sourcePollErrors).inc({ source: source.id, kind: pollErrorKind(error) });
            this.log.warn({ source: source.id, attempt, retryInMs: delayMs, err: describeError(error) }, 'poll failed, retrying');
          },
        });
        gauge(METRICS.sourceLastSuccess).set({ source: source.id }, Date.now() / 1000);
        if (next) stored = next; // the upstream may have more pages
        else await sleep(source.intervalMs, signal);
      } catch (err) {
        if (err instanceof OperationAbortedError) return;
        if (!(err instanceof CursorConflictError)) throw err;
        counter(METRICS.sourcePollErrors).inc({ source: source.id, kind: 'cursor-conflict' });
        this.log.warn({ source: source.id }, 'cursor moved by another instance; reloading it');
        stored = await load();
      }
    }
  }

  /** Fetches and produces one page; returns the saved cursor if it advanced (more may follow), else undefined. */
  private async pollOnce(adapter: SourceAdapter, cursors: CursorStore, source: SourceConfig, kafka: KafkaConfig, stored: StoredCursor): Promise<StoredCursor | undefined> {
    const page = await adapter.fetch(stored.cursor);
    counter(METRICS.sourceRecordsPolled).inc({ source: source.id }, page.records.length + page.malformed.length);
    const { messages, letters } = intakeBatch(source, page, new Date().toISOString());
    await this.producer!.send(kafka.topic, messages);
    counter(METRICS.sourceRecordsProduced).inc({ source: source.id }, messages.length);
    await publishDeadLetters(this.producer!, kafka.dlqTopic, letters);
    if (messages.length > 0 || letters.length > 0) this.log.debug({ source: source.id, produced: messages.length, deadLettered: letters.length }, 'page produced');
    if (page.nextCursor === null || page.nextCursor === stored.cursor) return undefined;
    const version = await cursors.save(source.id, page.nextCursor, stored.version);
    this.cursorAdvancedAt = Date.now();
    return { cursor: page.nextCursor, version };
  }

  /** A ZooKeeper operation, retried until it succeeds or the signal fires (undefined then). */
  private async coordinate<T>(what: string, signal: AbortSignal, operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await retry(operation, {
        what,
        policy: RETRY_POLICIES.coordination,
        signal,
        retryOn: () => true,
        onRetry: ({ attempt, delayMs, error }) => this.log.warn({ attempt, retryInMs: delayMs, err: describeError(error) }, `ZooKeeper: ${what} failed, retrying`),
      });
    } catch (err) {
      if (err instanceof OperationAbortedError) return undefined;
      throw err;
    }
  }
}

function pollErrorKind(err: unknown): string {
  if (err instanceof SourceUnavailableError) return err.retryAfterMs !== undefined ? 'upstream-throttled' : 'upstream';
  if (err instanceof KafkaUnavailableError) return 'kafka';
  return 'cursor-store';
}
