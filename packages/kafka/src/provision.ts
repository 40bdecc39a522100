import { dlqTopicSpec } from '@pulse/contracts';
import type { Admin, ITopicConfig } from 'kafkajs';
import type { KafkaClient } from './client';
import { toPulseError } from './errors';

/** Topic config entries, either as kafkajs's `{name, value}` list or as a plain record. */
export type ConfigEntries =
  readonly { readonly name: string; readonly value: string }[] | Readonly<Record<string, string>>;

/** What a topic should look like; contracts' `TOPIC_SPECS` entries fit this shape. */
export interface TopicSpec {
  readonly topic: string;
  /** Partition count; default `defaultPartitions`. An existing topic is grown, never shrunk. */
  readonly partitions?: number;
  /** Applied when the topic is created; existing topics' configs are left alone. */
  readonly configEntries?: ConfigEntries;
}

export interface ProvisionOptions {
  kafka: KafkaClient;
  specs: readonly TopicSpec[];
  /** Partitions for specs that name none; default 6. */
  defaultPartitions?: number;
  /** Replicas per partition; default -1 (the broker's `default.replication.factor`). */
  replicationFactor?: number;
}

/** Which topics provisioning created, grew, or found as asked. */
export interface ProvisionResult {
  created: string[];
  expanded: string[];
  unchanged: string[];
}

function entriesOf(config: ConfigEntries | undefined): { name: string; value: string }[] {
  if (!config) return [];
  if (Array.isArray(config)) return config.map(({ name, value }) => ({ name, value }));
  return Object.entries(config).map(([name, value]) => ({ name, value: String(value) }));
}

async function withAdmin<T>(kafka: KafkaClient, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.kafkajs.admin();
  try {
    await admin.connect();
    return await work(admin);
  } catch (err) {
    throw toPulseError(err, 'topic provisioning failed');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Metadata not yet everywhere after a topic was just created (here or by another process). */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_CONTROLLER']);

function isSettling(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && SETTLING.has(type);
}

/** Runs `work` again while the broker's metadata is still settling (up to ~6 s in all). */
async function whileSettling<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      if (!isSettling(err) || attempt >= 8) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function partitionCounts(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map();
  const metadata = await admin.fetchTopicMetadata({ topics });
  return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
}

/**
 * Creates the topics that are missing, with their partitions and config entries, and grows
 * existing topics that have fewer partitions than asked. Idempotent: safe on every start and
 * from several processes at once (a topic created concurrently counts as existing).
 */
export async function provisionTopics(options: ProvisionOptions): Promise<ProvisionResult> {
  const defaultPartitions = options.defaultPartitions ?? 6;
  const wanted = new Map(options.specs.map((s) => [s.topic, s.partitions ?? defaultPartitions]));
  return withAdmin(options.kafka, (admin) => whileSettling(() => provisionWith(admin)));

  async function provisionWith(admin: Admin): Promise<ProvisionResult> {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = options.specs
      .filter((s) => !existing.has(s.topic))
      .map((s) => ({
        topic: s.topic,
        numPartitions: wanted.get(s.topic) ?? defaultPartitions,
        replicationFactor: options.replicationFactor ?? -1,
        configEntries: entriesOf(s.configEntries),
      }));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
    const present = [...wanted.keys()].filter((t) => existing.has(t));
    const counts = await partitionCounts(admin, present);
    const grow = present.filter((t) => (counts.get(t) ?? 0) < (wanted.get(t) ?? 0));
    if (grow.length > 0) {
      await admin.createPartitions({
        topicPartitions: grow.map((topic) => ({ topic, count: wanted.get(topic) ?? 0 })),
      });
    }
    return {
      created: missing.map((m) => m.topic),
      expanded: grow,
      unchanged: present.filter((t) => !grow.includes(t)),
    };
  }
}

export interface ProvisionDlqOptions {
  kafka: KafkaClient;
  /** The topics the group consumes. */
  topics: readonly string[];
  groupId: string;
}

/**
 * Creates the consumer group's dead-letter topics (`<topic>.dlq.<group>`, shaped by contracts'
 * `dlqTopicSpec`) if they are missing.
 */
export function provisionDlqTopics(options: ProvisionDlqOptions): Promise<ProvisionResult> {
  return provisionTopics({
    kafka: options.kafka,
    specs: options.topics.map((topic) => dlqTopicSpec(topic, options.groupId)),
  });
}

/** Deletes topics that exist (others are ignored); for tests, benchmarks and tooling. */
export async function deleteTopics(options: {
  kafka: KafkaClient;
  topics: readonly string[];
}): Promise<void> {
  await withAdmin(options.kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const topics = options.topics.filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  });
}
