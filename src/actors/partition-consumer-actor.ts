/**
 * A partition consumer: one member of the sinks' Kafka consumer group. Each batch of a
 * partition goes through the one delivery path (pipeline/delivery.ts): written to every sink,
 * refused records dead-lettered, and only then committed. While a sink is unavailable the
 * partition's batch waits and retries (Kafka holds the backlog); on a rebalance or stop
 * mid-batch the batch is given up uncommitted, so whoever gets the partition next starts from
 * the last acknowledged offset.
 *
 * Joining Kafka (the topics, then the group) runs after start, retried with growing delays
 * (RETRY_POLICIES.kafkaJoin) until it succeeds or the actor stops: Kafka unreachable or refusing
 * wharf's credentials must not crash-loop the consumers into an escalation. While Kafka refuses
 * it (WharfError.refused), `refused()` says so and /readyz names the consumer and the cause. A
 * consumer that kafkajs stops for good later (a non-retriable error, such as a group
 * authorization refused) joins again the same way, after the policy's growing delay.
 *
 * A consumer restarted by its supervisor replaced one that died, most often without leaving its
 * group (a crash, a SIGKILL). It joins only once the dead member's session has expired: joining
 * at once would start a rebalance that pauses every partition of every member until that
 * expiry (the eager assigner), and joining just after it would make a second one. Waiting, the
 * other members go on consuming their partitions until the expiry, then pause only for two
 * short rebalances (the expiry's, then this join's). The dead member's partitions wait for the
 * expiry either way. `consumers.restartJoinDelayMs` sets the wait.
 *
 * Settings: `{ kafka, sinks, consumers }` (sections of the wharf configuration).
 */
import type { PipelineConfig } from '../config/service-schema';
import { describeError, OperationAbortedError } from '../errors';
import type { CheckResult } from '../health/check';
import { RefusalState } from '../health/refusal';
import { KafkaClient } from '../kafka/client';
import type { KafkaConfig } from '../kafka/config';
import { RecordConsumer } from '../kafka/record-consumer';
import { KafkaUnavailableError, RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { publishDeadLetters } from '../pipeline/dead-letters';
import { Delivery } from '../pipeline/delivery';
import { RETRY_POLICIES } from '../retry/policies';
import { retry, retryDelay, sleep } from '../retry/retry';
import { createSinkWriter, type SinkConfig } from '../sinks/registry';
import { failureReason, StateLog } from '../util/state-log';
import { WharfActor } from './wharf-actor';

/** Past the dead member's session timeout: the broker checks expiry on its own clock, not ours. */
const JOIN_MARGIN_MS = 1000;

interface ConsumerSettings {
  kafka: KafkaConfig;
  sinks: SinkConfig[];
  consumers: Omit<PipelineConfig['consumers'], 'count'>;
}

export default class PartitionConsumerActor extends WharfActor<ConsumerSettings> {
  private readonly stopping = new AbortController();
  private readonly refusal = new RefusalState();
  private joining?: Promise<void>;
  private consumer?: RecordConsumer;
  private dlq?: RecordProducer;
  private delivery?: Delivery;
  /** Times kafkajs stopped a joined consumer for good, in a row: each rejoin waits longer. */
  private stoppedForGood = 0;
  /** Failed joins as states: logged when they start, at most once a minute, when they end (util/state-log.ts). */
  private joins!: { failing: StateLog; refused: StateLog };

  protected override start({ kafka, sinks, consumers }: ConsumerSettings): void {
    const subject = `consumer group ${consumers.groupId}`;
    const fields = { groupId: consumers.groupId };
    this.joins = {
      failing: new StateLog(this.log, { subject, failing: 'not joined', recovered: 'joined', message: 'joining Kafka failed, retrying', fields }),
      refused: new StateLog(this.log, { subject, failing: 'refused', recovered: 'joined', level: 'error', message: 'Kafka refused the consumer, retrying: an operator must fix the cause', fields }),
    };
    const client = new KafkaClient(kafka, this.log, this.id);
    this.dlq = new RecordProducer(client);
    this.delivery = new Delivery({
      topic: kafka.topic,
      sinks: sinks.map(createSinkWriter),
      publishDeadLetters: (letters) => publishDeadLetters(this.dlq!, kafka.dlqTopic, letters),
      retry: consumers.retry,
      log: this.log,
    });
    this.joining = this.join(client);
  }

  /** This consumer as a failed check while Kafka refuses it (health-monitor.ts asks every consumer), else null. */
  refused(): CheckResult | null {
    return this.refusal.asCheck(`consumer:${this.id}`, this.settings.kafka.brokers.join(','));
  }

  protected override async stop(): Promise<void> {
    this.stopping.abort();
    await this.joining;
    const stopped = await this.consumer?.stop();
    if (stopped && !stopped.left) this.log.warn({ groupId: this.settings.consumers.groupId }, 'consumer did not leave its group in time (a rebalance in flight); the broker expires it after the session timeout');
    await this.dlq?.disconnect();
    await this.delivery?.close();
  }

  /** The topics, then a member of the group, retried until it is one or the actor stops. */
  private async join(client: KafkaClient): Promise<void> {
    const { kafka, consumers } = this.settings;
    try {
      this.consumer = await retry(
        async () => {
          const consumer = new RecordConsumer(client, {
            groupId: consumers.groupId,
            topic: kafka.topic,
            partitionsConcurrently: Math.min(kafka.partitions, consumers.partitionsConcurrently),
            maxBytesPerPartition: consumers.fetchMaxBytesPerPartition,
            maxBytes: consumers.fetchMaxBytes,
            sessionTimeoutMs: consumers.sessionTimeoutMs,
            heartbeatIntervalMs: consumers.heartbeatIntervalMs,
            joinDelayMs: this.restarts > 0 ? (consumers.restartJoinDelayMs ?? consumers.sessionTimeoutMs + JOIN_MARGIN_MS) : 0,
            onFatal: (err) => this.rejoin(client, err),
          });
          try {
            await ensureWharfTopics(client);
            await consumer.start(async (batch) => {
              const outcome = await this.delivery!.deliver(batch);
              return outcome.delivered ? batch.messages[batch.messages.length - 1].offset : null;
            });
            return consumer;
          } catch (err) {
            await consumer.stop();
            throw new KafkaUnavailableError(`joining consumer group ${consumers.groupId}`, describeError(err), { cause: err });
          }
        },
        {
          what: `joining consumer group ${consumers.groupId}`,
          policy: RETRY_POLICIES.kafkaJoin,
          signal: this.stopping.signal,
          retryOn: () => true,
          onRetry: ({ attempt, delayMs, error }) => {
            const state = this.refusal.failed(error) ? this.joins.refused : this.joins.failing;
            state.failed(failureReason(error, describeError), { retryInMs: delayMs, err: error, detail: { attempt, err: describeError(error) } });
          },
        },
      );
      this.refusal.succeeded();
      this.joins.failing.succeeded();
      this.joins.refused.succeeded();
    } catch (err) {
      if (!(err instanceof OperationAbortedError)) throw err;
    }
  }

  /** kafkajs stopped the joined consumer for good: drop it and join again, after a growing delay. */
  private rejoin(client: KafkaClient, err: Error): void {
    if (this.stopping.signal.aborted) return;
    const stopped = this.consumer;
    this.consumer = undefined;
    this.refusal.failed(err);
    const delayMs = retryDelay(RETRY_POLICIES.kafkaJoin, ++this.stoppedForGood, err);
    this.log.error({ groupId: this.settings.consumers.groupId, retryInMs: delayMs, err: describeError(err) }, 'the Kafka consumer stopped for good; joining again');
    this.joining = (async () => {
      await stopped?.stop();
      await sleep(delayMs, this.stopping.signal);
      if (!this.stopping.signal.aborted) await this.join(client);
    })();
  }
}
