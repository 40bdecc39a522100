import { PulseError } from '@pulse/core';
import { Kafka, logLevel as kafkaLogLevel } from 'kafkajs';
import type { Admin, IHeaders, KafkaMessage, Message, Producer } from 'kafkajs';
import { randomName } from './names';
import type { Stack } from './stack';

/** A record as read from the broker: raw bytes, decoding is the caller's job. */
export interface TestRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
}

/** Options of `readRecords`. */
export interface ReadRecordsOptions {
  /** Resolve once this many records were read (at least 1). */
  count: number;
  /** Default 30 s; then a WAIT_TIMEOUT error says how many records arrived. */
  timeoutMs?: number;
  /**
   * true (default): from the earliest offset. false: only records written after this call
   * (the end offsets are taken when it starts, so a producer racing the consumer's join is
   * still seen).
   */
  fromBeginning?: boolean;
  /** Start exactly here instead (e.g. offsets from `endOffsets` taken before producing). */
  from?: readonly PartitionOffset[];
}

/** A position in one partition. */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

/** Options of `createTopics`. */
export interface CreateTopicsOptions {
  /** Default 1. */
  partitions?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '60000' }`. */
  configs?: Record<string, string>;
}

/** Kafka helpers for a test file; `cleanup()` deletes the topics it created and disconnects. */
export interface TestKafka {
  /** The underlying kafkajs client, for code under test that takes one. */
  kafka: Kafka;
  createTopics(names: readonly string[], options?: CreateTopicsOptions): Promise<void>;
  deleteTopics(names: readonly string[]): Promise<void>;
  sendRecords(topic: string, records: readonly Message[]): Promise<void>;
  readRecords(topic: string, options: ReadRecordsOptions): Promise<TestRecord[]>;
  /** The next offset of every partition: pass it as `from` to read only later records. */
  endOffsets(topic: string): Promise<PartitionOffset[]>;
  /** Deletes every topic created through these helpers, then disconnects. Idempotent. */
  cleanup(): Promise<void>;
}

/** Options of `createTestKafka`. */
export interface TestKafkaOptions {
  /** kafkajs log level; default ERROR. */
  logLevel?: kafkaLogLevel;
}

function toRecord(topic: string, partition: number, message: KafkaMessage): TestRecord {
  const { offset, key, value, headers, timestamp } = message;
  return { topic, partition, offset, key, value, headers: headers ?? {}, timestamp };
}

async function endOffsets(admin: Admin, topic: string): Promise<PartitionOffset[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map(({ partition, high }) => ({ partition, offset: high }));
}

/** Gathers `count` records; `finished` resolves when it has them or rejects at the deadline. */
function collector(topic: string, count: number, timeoutMs: number) {
  const records: TestRecord[] = [];
  let enough: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    enough = resolve;
    timer = setTimeout(() => {
      const what = `${count} record(s) from ${topic}; got ${records.length}`;
      reject(new PulseError('WAIT_TIMEOUT', `timed out after ${timeoutMs} ms reading ${what}`));
    }, timeoutMs);
  });
  const add = (partition: number, message: KafkaMessage): void => {
    if (records.length < count) records.push(toRecord(topic, partition, message));
    if (records.length >= count) enough();
  };
  return { records, finished, add, dispose: () => clearTimeout(timer) };
}

async function readWith(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  options: ReadRecordsOptions,
): Promise<TestRecord[]> {
  const { count, timeoutMs = 30_000, fromBeginning = true, from } = options;
  if (!Number.isInteger(count) || count < 1) {
    throw new PulseError(
      'INVALID_ARGUMENT',
      `readRecords: count must be a positive integer, got ${count}`,
    );
  }
  const groupId = randomName('testkit-read');
  // A new group with committed offsets starts there; without them, at the earliest offset.
  const start = from ?? (fromBeginning ? undefined : await endOffsets(admin, topic));
  if (start) await admin.setOffsets({ groupId, topic, partitions: [...start] });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const collect = collector(topic, count, timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => collect.add(partition, message),
    });
    await collect.finished;
    return collect.records;
  } finally {
    collect.dispose();
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

/**
 * Kafka helpers for tests against the real broker, using kafkajs directly (decoding records
 * is left to the caller, so the testkit does not depend on @pulse/kafka).
 */
export function createTestKafka(stack: Stack, options: TestKafkaOptions = {}): TestKafka {
  const kafka = new Kafka({
    clientId: 'pulse-testkit',
    brokers: stack.kafkaBrokers,
    logLevel: options.logLevel ?? kafkaLogLevel.ERROR,
  });
  const admin = kafka.admin();
  const created = new Set<string>();
  let adminReady: Promise<void> | undefined;
  let producerReady: Promise<Producer> | undefined;
  let cleaning: Promise<void> | undefined;
  const connected = (): Promise<void> => (adminReady ??= admin.connect());
  const connectedProducer = (): Promise<Producer> =>
    (producerReady ??= (async () => {
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      return producer;
    })());

  const deleteTopics = async (names: readonly string[]): Promise<void> => {
    if (names.length === 0) return;
    await connected();
    await admin.deleteTopics({ topics: [...names], timeout: 30_000 });
    for (const name of names) created.delete(name);
  };

  return {
    kafka,
    async createTopics(names, topicOptions = {}) {
      await connected();
      const configEntries = Object.entries(topicOptions.configs ?? {}).map(([name, value]) => ({
        name,
        value,
      }));
      await admin.createTopics({
        waitForLeaders: true,
        topics: names.map((topic) => ({
          topic,
          numPartitions: topicOptions.partitions ?? 1,
          replicationFactor: 1,
          configEntries,
        })),
      });
      for (const name of names) created.add(name);
    },
    deleteTopics,
    async sendRecords(topic, records) {
      const producer = await connectedProducer();
      await producer.send({ topic, messages: [...records] });
    },
    async endOffsets(topic) {
      await connected();
      return endOffsets(admin, topic);
    },
    async readRecords(topic, readOptions) {
      await connected();
      return readWith(kafka, admin, topic, readOptions);
    },
    cleanup() {
      cleaning ??= (async () => {
        try {
          if (created.size > 0) await deleteTopics([...created]);
        } finally {
          await producerReady?.then((producer) => producer.disconnect()).catch(() => undefined);
          if (adminReady) await admin.disconnect();
        }
      })();
      return cleaning;
    },
  };
}
