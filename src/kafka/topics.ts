/**
 * Creates wharf's topics when they are missing, with the configured partition count. An
 * existing topic is never altered; one with fewer partitions than configured is reported,
 * since adding partitions would move keys to other partitions and break per-key order.
 */
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { Logger } from '../log';
import { withAdmin, type KafkaClient } from './client';

export async function ensureTopics(admin: Admin, topics: Array<{ topic: string; numPartitions: number }>, log: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
    log.info({ topics: missing.map((t) => `${t.topic} (${t.numPartitions} partitions)`) }, 'created Kafka topics');
  }
  const present = topics.filter((t) => existing.has(t.topic));
  if (present.length === 0) return;
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.topic) });
  for (const { name, partitions } of metadata.topics) {
    const wanted = present.find((t) => t.topic === name)!.numPartitions;
    if (partitions.length < wanted) {
      log.warn({ topic: name, partitions: partitions.length, configured: wanted }, 'topic has fewer partitions than configured; left as it is');
    }
  }
}

/** wharf's records topic (configured partitions) and dead-letter topic (one partition). */
export async function ensureWharfTopics(client: KafkaClient): Promise<void> {
  const { config, log } = client;
  const topics = [
    { topic: config.topic, numPartitions: config.partitions },
    { topic: config.dlqTopic, numPartitions: 1 },
  ];
  await withAdmin(client, (admin) => ensureTopics(admin, topics, log));
}

export async function topicExists(client: KafkaClient, topic: string): Promise<boolean> {
  return withAdmin(client, async (admin) => (await admin.listTopics()).includes(topic));
}

/** How long each topic keeps messages (`retention.ms`), in ms; null for a topic that keeps them forever (-1). */
export async function topicRetentionMs(client: KafkaClient, topics: string[]): Promise<Map<string, number | null>> {
  return withAdmin(client, async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })),
    });
    const retention = new Map<string, number | null>();
    for (const resource of resources) {
      const value = Number(resource.configEntries.find((e) => e.configName === 'retention.ms')?.configValue ?? -1);
      retention.set(resource.resourceName, value < 0 ? null : value);
    }
    return retention;
  });
}
