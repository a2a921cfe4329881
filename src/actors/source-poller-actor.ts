/**
 * One source poller per configured source. Loop: load the cursor from ZooKeeper, fetch the page
 * after it, produce its records to Kafka (pipeline/intake.ts decides what becomes a record and
 * what a dead letter), and save the next cursor (compare-and-set) once Kafka acknowledged them;
 * follow pages while the upstream has more, then wait `intervalMs`. Pages are pipelined: the
 * next page is fetched and turned into messages while the ones before it are produced (up to
 * PAGES_IN_FLIGHT held), but sends stay in page order, one after the other (absent an upstream
 * version a record's Kafka offset is its version, so its writes must reach the partition in
 * order), and cursors are saved strictly in order, each only once its page and every page before
 * it were acknowledged (pipeline/ordered-commits.ts): a failed send fails every page after it.
 * A crash anywhere before a save re-fetches that page on restart: Kafka may see a record twice,
 * but every sink writes it under the same id, so no document is duplicated and none is lost.
 * Upstream and Kafka failures are retried with backoff (RETRY_POLICIES.sourcePoll, or the
 * upstream's Retry-After) and logged, never crash-looped.
 *
 * Only one wharf instance polls a source at a time: the one holding its ZooKeeper lease
 * (coordination/source-lease.ts); the others stand by and take over when its session ends.
 * Fencing: right before a page's first send, the poller confirms with the server that its lease node
 * still exists (answered within a third of the session timeout), and it saves the cursor only in
 * a transaction that checks that node. A lost lease (LeaseLostError) or a session that is
 * Disconnected or Expired ends polling at once; the poller opens a new session and stands by.
 *
 * The bound: ZooKeeper hands the lease to another instance at the earliest one session timeout
 * after it last heard from this one, and the confirmation was heard less than a third of that
 * before the page's first send started. So no page's production starts after another instance
 * could take over; the sends of the page under way can go on for at most their own bound
 * (RecordProducer: kafka.requestTimeoutMs + 15 s each) after it, and may then duplicate records
 * the new holder also produces (sinks write by record id, so no document is duplicated). Its
 * cursor save then fails its fence: a former holder never moves the cursor. The Disconnected
 * event alone is no bound: node-zookeeper-client has no read timeout, so a silently dead
 * connection is noticed by the confirmation's deadline, not by the event.
 *
 * A page that gives no next cursor is produced once: its digest is saved with the cursor (so
 * neither a restart nor a takeover produces it again), and the same page asked again at every
 * interval is skipped, but a page whose content changed is produced again. A numeric next
 * cursor that goes backwards is followed (upstreams may reset) and logged as a warning. A
 * corrupt cursor znode is logged at error level with its path at every attempt to load it.
 * An operator's change of the cursor (`wharf cursor set|reset --force`, coordination/
 * cursor-override.ts) is followed: idle, the poller reads the cursor again after each interval;
 * busy, its next save conflicts and it reloads.
 *
 * A refusal (WharfError.refused: Kafka or the upstream refusing wharf's credentials or a
 * permission, a certificate not trusted, ZooKeeper's ACL) is retried like any failure, logged at
 * error level, and answered by `refused()` until a poll succeeds: /readyz then names the source
 * and the cause. Kafka's topics and producer are set up by the poll loop, not at start, so a
 * refused Kafka user does not crash-loop the poller.
 *
 * Settings: `{ source, kafka, zookeeper }` (sections of the wharf configuration).
 */
import type { ZookeeperConfig } from '../coordination/config';
import { CorruptCursorError, CursorConflictError, CursorStore, type StoredCursor } from '../coordination/cursor-store';
import { LeaseLostError, SourceLease } from '../coordination/source-lease';
import { connectZookeeper, onSessionLost } from '../coordination/zookeeper';
import { describeError, OperationAbortedError } from '../errors';
import type { CheckResult } from '../health/check';
import { RefusalState } from '../health/refusal';
import { safeUrl } from '../log';
import { KafkaClient } from '../kafka/client';
import type { KafkaConfig } from '../kafka/config';
import { METRICS } from '../metrics/catalog';
import { counter, gauge } from '../metrics/process-registry';
import { cursorWentBack, intakeBatch, pageDigest, type IntakeBatch } from '../pipeline/intake';
import { OrderedCommits } from '../pipeline/ordered-commits';
import { PageProducer } from '../pipeline/page-producer';
import { RETRY_POLICIES } from '../retry/policies';
import { retry, retryDelay, sleep } from '../retry/retry';
import { createSourceAdapter, type SourceConfig } from '../sources/registry';
import type { SourceAdapter } from '../sources/source-adapter';
import { failureReason, StateLog } from '../util/state-log';
import { pollErrorKind } from './poll-error-kind';
import { WharfActor } from './wharf-actor';

/** Pages held at once: fetched and turned into messages, being produced, or waiting for their cursor's save. */
const PAGES_IN_FLIGHT = 4;

/** The cursor after a page, and the page's digest when it gave no next cursor. */
interface PageCursor {
  cursor: string | null;
  digest?: string;
  more: boolean;
}

interface PollerSettings {
  source: SourceConfig;
  kafka: KafkaConfig;
  zookeeper: ZookeeperConfig;
}

export default class SourcePollerActor extends WharfActor<PollerSettings> {
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private pages?: PageProducer;
  private cursorAdvancedAt = Date.now();
  private cursorAgeTimer?: NodeJS.Timeout;
  private readonly refusal = new RefusalState();
  /** Repeated failures as states: logged when they start, at most once a minute, when they end (util/state-log.ts). */
  private polls!: { failing: StateLog; refused: StateLog; zookeeper: StateLog };

  protected override start({ source, kafka, zookeeper: zk }: PollerSettings): void {
    const fields = { source: source.id };
    this.polls = {
      failing: new StateLog(this.log, { subject: `source ${source.id}`, failing: 'polls failing', recovered: 'polling again', message: 'poll failed, retrying', fields }),
      refused: new StateLog(this.log, { subject: `source ${source.id}`, failing: 'polls refused', recovered: 'polling again', level: 'error', message: 'poll refused, retrying: an operator must fix the cause', fields }),
      zookeeper: new StateLog(this.log, { subject: `ZooKeeper ${zk.connect}`, failing: 'failing', recovered: 'answering again', fields }),
    };
    this.pages = new PageProducer(new KafkaClient(kafka, this.log, `poller-${source.id}`), kafka);
    this.cursorAgeTimer = setInterval(() => gauge(METRICS.sourceCursorAge).set({ source: source.id }, (Date.now() - this.cursorAdvancedAt) / 1000), 1000);
    this.loop = this.runSessions(createSourceAdapter(source), source, zk);
  }

  /** The source as a failed check while its polls are refused (health-monitor.ts asks every poller), else null. */
  refused(): CheckResult | null {
    const { source } = this.settings;
    return this.refusal.asCheck(`source:${source.id}`, 'url' in source ? safeUrl(source.url) : source.path);
  }

  protected override async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.cursorAgeTimer);
    await this.loop;
    await this.pages?.disconnect();
  }

  /** One ZooKeeper session after another: hold the source's lease, poll until the session or the lease ends. */
  private async runSessions(adapter: SourceAdapter, source: SourceConfig, zk: ZookeeperConfig): Promise<void> {
    // Sessions that failed in a row: a new session waits the coordination policy's growing delay.
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      const client = await this.coordinate('opening a ZooKeeper session', this.stopping.signal, () => connectZookeeper(zk));
      if (!client) return;
      const session = new AbortController();
      const endSession = () => session.abort();
      this.stopping.signal.addEventListener('abort', endSession);
      const unsubscribe = onSessionLost(client, (state) => {
        if (session.signal.aborted) return;
        this.log.warn({ source: source.id, state }, 'ZooKeeper session lost: polling stops until a new session holds the source');
        session.abort();
      });
      const lease = new SourceLease(client, zk.root, source.id);
      try {
        const held = await lease.acquire(session.signal, (holder) =>
          this.log.info({ source: source.id, holder: holder?.instance, since: holder?.since }, 'another instance polls this source; standing by'),
        );
        if (held) {
          failures = 0;
          // Only a held lease ends a ZooKeeper failure state: a session that opens and then fails is still one.
          this.polls.zookeeper.succeeded();
          this.log.info({ source: source.id }, 'this instance polls the source');
          await this.poll(adapter, new CursorStore(client, zk.root), lease, source, session.signal);
        }
      } catch (err) {
        if (err instanceof LeaseLostError) this.log.warn({ source: source.id, lease: err.path }, 'lease lost: another instance may poll this source; standing by');
        else {
          this.refusal.failed(err);
          const delayMs = retryDelay(RETRY_POLICIES.coordination, ++failures, err);
          this.polls.zookeeper.failed(failureReason(err, describeError), { retryInMs: delayMs, err, detail: { what: 'holding the source (a new session follows)', err: describeError(err) } });
          await sleep(delayMs, this.stopping.signal);
        }
      } finally {
        unsubscribe();
        this.stopping.signal.removeEventListener('abort', endSession);
        if (this.stopping.signal.aborted) await lease.release();
        client.close();
      }
    }
  }

  /** Polls page after page while the session holds the lease; a lost lease is thrown. */
  private async poll(adapter: SourceAdapter, cursors: CursorStore, lease: SourceLease, source: SourceConfig, signal: AbortSignal): Promise<void> {
    const load = () => this.coordinate('loading the cursor', signal, () => cursors.load(source.id));
    let stored = await load();
    if (stored?.updatedAt) this.cursorAdvancedAt = Date.parse(stored.updatedAt) || Date.now();
    const saved = (cursor: StoredCursor) => {
      stored = cursor;
      this.refusal.succeeded();
      gauge(METRICS.sourceLastSuccess).set({ source: source.id }, Date.now() / 1000);
    };
    while (!signal.aborted && stored) {
      try {
        // A retry starts from the last cursor saved: pages after it are fetched and produced again.
        stored = await retry(() => this.pollPages(adapter, cursors, lease, source, stored!, saved, signal), {
          what: `polling source ${source.id}`,
          policy: RETRY_POLICIES.sourcePoll,
          signal,
          // Every failure but a moved cursor or a lost lease is retried: the upstream, Kafka or ZooKeeper may come back.
          retryOn: (err) => !(err instanceof CursorConflictError || err instanceof LeaseLostError),
          onRetry: ({ attempt, delayMs, error }) => {
            counter(METRICS.sourcePollErrors).inc({ source: source.id, kind: pollErrorKind(error) });
            const state = this.refusal.failed(error) ? this.polls.refused : this.polls.failing;
            state.failed(failureReason(error, describeError), { retryInMs: delayMs, err: error, detail: { attempt, err: describeError(error) } });
          },
        });
        this.refusal.succeeded();
        this.polls.failing.succeeded();
        this.polls.refused.succeeded();
        gauge(METRICS.sourceLastSuccess).set({ source: source.id }, Date.now() / 1000);
        await sleep(source.intervalMs, signal);
        // Idle, this poller saves nothing, so an operator's `wharf cursor set --force` would
        // wait for the upstream's next records to be noticed (as a conflict); read it now.
        const current = signal.aborted ? undefined : await load();
        if (current && current.version !== stored.version) this.log.info({ source: source.id, cursor: current.cursor }, 'cursor changed by an operator; polling from it');
        stored = current ?? stored;
      } catch (err) {
        if (err instanceof OperationAbortedError) return;
        if (!(err instanceof CursorConflictError)) throw err;
        counter(METRICS.sourcePollErrors).inc({ source: source.id, kind: 'cursor-conflict' });
        this.log.warn({ source: source.id }, 'cursor moved by another instance; reloading it');
        stored = await load();
      }
    }
  }

  /**
   * Fetches and produces pages from `from` until the upstream has nothing new, pipelined (see the
   * top of this file); returns the last cursor saved, after passing each one saved to `saved`.
   */
  private async pollPages(
    adapter: SourceAdapter,
    cursors: CursorStore,
    lease: SourceLease,
    source: SourceConfig,
    from: StoredCursor,
    saved: (cursor: StoredCursor) => void,
    signal: AbortSignal,
  ): Promise<StoredCursor> {
    let committed = from;
    const window = new OrderedCommits<PageCursor>(PAGES_IN_FLIGHT, async ({ cursor, digest, more }) => {
      const version = await cursors.save(source.id, cursor, committed.version, lease.fence(), digest);
      committed = { cursor, version, pageDigest: digest };
      if (more) this.cursorAdvancedAt = Date.now();
      saved(committed);
    });
    // Where the next fetch starts: after the last page fetched, saved or not.
    let head: PageCursor = { cursor: from.cursor, digest: from.pageDigest, more: false };
    let sent: Promise<void> = Promise.resolve();
    try {
      while (!signal.aborted) {
        const page = await adapter.fetch(head.cursor);
        const more = page.nextCursor !== null && page.nextCursor !== head.cursor;
        const digest = !more && page.records.length + page.malformed.length > 0 ? pageDigest(page) : undefined;
        if (!more && digest === head.digest) break; // nothing, or the very page already produced
        counter(METRICS.sourceRecordsPolled).inc({ source: source.id }, page.records.length + page.malformed.length);
        if (cursorWentBack(head.cursor, page.nextCursor)) {
          this.log.warn({ source: source.id, stored: head.cursor, next: page.nextCursor }, 'the upstream\'s next cursor is before the stored one (an upstream reset?); following it');
        }
        await this.pages!.ensureTopics();
        const ingestedAt = new Date().toISOString();
        const batch = intakeBatch(source, page, ingestedAt);
        // After the page before it was acknowledged (a failure there fails this one unsent); the lease confirmed right before.
        sent = sent.then(async () => {
          await lease.confirm();
          await this.producePage(source.id, batch, ingestedAt);
        });
        head = { cursor: more ? page.nextCursor : head.cursor, digest, more };
        await window.add(sent, head);
        if (!more) break;
      }
    } catch (err) {
      // Pages acknowledged before the failure keep their cursors; none after it is saved.
      await window.flush().catch(() => undefined);
      throw err;
    }
    await window.flush();
    return committed;
  }

  /** Produces a page's messages and dead letters; resolves once Kafka acknowledged them all. */
  private async producePage(sourceId: string, batch: IntakeBatch, ingestedAt: string): Promise<void> {
    const { produced, deadLettered } = await this.pages!.produce(sourceId, batch, ingestedAt);
    counter(METRICS.sourceRecordsProduced).inc({ source: sourceId }, produced);
    if (produced > 0 || deadLettered > 0) this.log.debug({ source: sourceId, produced, deadLettered }, 'page produced');
  }

  /** A ZooKeeper operation, retried until it succeeds or the signal fires (undefined then). */
  private async coordinate<T>(what: string, signal: AbortSignal, operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await retry(operation, {
        what,
        policy: RETRY_POLICIES.coordination,
        signal,
        retryOn: () => true,
        onRetry: ({ attempt, delayMs, error }) => {
          this.refusal.failed(error);
          if (error instanceof CorruptCursorError) this.log.error({ attempt, retryInMs: delayMs, path: error.path, err: error.message }, 'the stored cursor is corrupt; an operator must repair it');
          else this.polls.zookeeper.failed(failureReason(error, describeError), { retryInMs: delayMs, err: error, detail: { what, attempt, err: describeError(error) } });
        },
      });
    } catch (err) {
      if (err instanceof OperationAbortedError) return undefined;
      throw err;
    }
  }
}
