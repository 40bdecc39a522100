/**
 * Shared setup of the kafka package's integration tests: a client, registry, serde and
 * producer against the real stack, random topics, and cleanup of everything a test created.
 */
import { dlqTopic, type AvroSchema } from '@pulse/contracts';
import { createLogger, silentLogger, type Logger } from '@pulse/core';
import { getStack, randomName, waitFor } from '@pulse/testkit';
import type { IHeaders } from 'kafkajs';
import {
  createAvroSerde,
  createKafka,
  createProducer,
  createSchemaRegistry,
  deleteTopics,
  provisionTopics,
  type AvroSerde,
  type KafkaClient,
  type PulseProducer,
  type SchemaRegistry,
} from '../src/index';

/** The record every test produces; `poison` makes the test handlers fail non-retriably. */
export interface Thing {
  key: string;
  seq: number;
  poison: boolean;
}

export const THING_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'Thing',
  namespace: 'pulse.test',
  fields: [
    { name: 'key', type: 'string' },
    { name: 'seq', type: 'int' },
    { name: 'poison', type: 'boolean', default: false },
  ],
};

/** A record read back as bytes, as it sits on the topic. */
export interface RawRead {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface Harness {
  logger: Logger;
  kafka: KafkaClient;
  registry: SchemaRegistry;
  serde: AvroSerde;
  /** Producer whose schema for every topic is THING_SCHEMA. */
  producer: PulseProducer;
  /** Creates a random topic, deleted (with the DLQ topics of `groups`) on cleanup. */
  createTopic(prefix: string, partitions: number): Promise<string>;
  /** A random group id whose DLQ topics on this harness's topics are deleted on cleanup. */
  group(prefix: string): string;
  /** Reads `count` records of `topic` from the beginning, as raw bytes. */
  readRaw(topic: string, count: number): Promise<RawRead[]>;
  /** Committed offset per partition of `groupId` on `topic` (-1 when none). */
  committed(groupId: string, topic: string): Promise<Map<number, bigint>>;
  /** High watermark per partition of `topic`. */
  endOffsets(topic: string): Promise<Map<number, bigint>>;
  cleanup(): Promise<void>;
}

function testLogger(): Logger {
  const level = process.env.PULSE_TEST_LOG_LEVEL;
  return level ? createLogger({ name: 'kafka-test', level }) : silentLogger();
}

export function createHarness(): Harness {
  const stack = getStack();
  const logger = testLogger();
  const kafka = createKafka({
    brokers: stack.kafkaBrokers,
    clientId: randomName('kafka-test'),
    logger,
  });
  const registry = createSchemaRegistry({ url: stack.schemaRegistryUrl });
  const serde = createAvroSerde({ registry });
  const producer = createProducer({ kafka, serde, logger, schemas: () => THING_SCHEMA });
  const topics: string[] = [];
  const groups: string[] = [];

  async function readRaw(topic: string, count: number): Promise<RawRead[]> {
    const consumer = kafka.kafkajs.consumer({
      groupId: randomName('reader'),
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
    });
    const seen: RawRead[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
        },
      });
      await waitFor(() => seen.length >= count, {
        timeoutMs: 60_000,
        description: `${count} records on ${topic}`,
      });
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  async function withAdmin<T>(
    work: (admin: ReturnType<KafkaClient['kafkajs']['admin']>) => Promise<T>,
  ): Promise<T> {
    const admin = kafka.kafkajs.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  return {
    logger,
    kafka,
    registry,
    serde,
    producer,
    async createTopic(prefix, partitions) {
      const topic = randomName(prefix);
      topics.push(topic);
      await provisionTopics({ kafka, specs: [{ topic, partitions }] });
      return topic;
    },
    group(prefix) {
      const groupId = randomName(prefix);
      groups.push(groupId);
      return groupId;
    },
    readRaw,
    committed: (groupId, topic) =>
      withAdmin(async (admin) => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      }),
    endOffsets: (topic) =>
      withAdmin(async (admin) => {
        const offsets = await admin.fetchTopicOffsets(topic);
        return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
      }),
    async cleanup() {
      await producer.close();
      const dlqs = topics.flatMap((t) => groups.map((g) => dlqTopic(t, g)));
      await deleteTopics({ kafka, topics: [...topics, ...dlqs] });
      await Promise.all(
        topics.map((t) => registry.deleteSubject(`${t}-value`).catch(() => undefined)),
      );
      await withAdmin((admin) => admin.deleteGroups(groups).catch(() => [])).catch(() => undefined);
    },
  };
}
