/**
 * Runs the real ingest service (createServiceRuntime, port 0) against the real stack with
 * random topics and an isolated Redis prefix, and reads what it published.
 */
import { dlqTopic, EVENTS_V1_SCHEMA, type EventReject, type PulseEvent } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import { createAvroSerde, createSchemaRegistry } from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { createServiceRuntime, type ServiceRuntime } from '@pulse/service';
import {
  createTestKafka,
  getStack,
  isolatedRedis,
  randomName,
  type IsolatedRedis,
  type PartitionOffset,
  type TestKafka,
} from '@pulse/testkit';
import { ingestConfigSpec } from '../src/config';
import { startIngest, type IngestConfig } from '../src/service';

export const BROWSER_KEY = 'test-browser-key';
export const SERVER_KEY = 'test-server-key';

export interface IngestHarness {
  url: string;
  clock: ManualClock;
  eventsTopic: string;
  rejectsTopic: string;
  /** The profile changes the erasure consumer reads (INGEST_PROFILE_CHANGES_TOPIC). */
  profileChangesTopic: string;
  kafka: TestKafka;
  redis: IsolatedRedis;
  runtime: ServiceRuntime<IngestConfig>;
  /** Offsets now, to read only what is published after. */
  mark(): Promise<{ events: PartitionOffset[]; rejects: PartitionOffset[] }>;
  readEvents(
    count: number,
    from?: PartitionOffset[],
  ): Promise<{ key: string; event: PulseEvent }[]>;
  readRejects(count: number, from?: PartitionOffset[]): Promise<EventReject[]>;
  /** Records on the events topic after `from` (a count; 0 proves nothing was published). */
  countEvents(from: PartitionOffset[]): Promise<number>;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<IngestHarness> {
  const stack = getStack();
  const kafka = createTestKafka(stack);
  const redis = isolatedRedis(stack);
  const eventsTopic = randomName('ingest-events');
  const rejectsTopic = randomName('ingest-rejects');
  const profileChangesTopic = randomName('ingest-profile-changes');
  await kafka.createTopics([eventsTopic, rejectsTopic], { partitions: 3 });
  await kafka.createTopics([profileChangesTopic], { partitions: 1 });
  const erasureGroup = randomName('ingest-erasure');
  // Real client libraries stamp events with the real time, so the manual clock starts there.
  const clock = new ManualClock(Date.now());
  const runtime = createServiceRuntime({
    name: 'ingest',
    configSpec: ingestConfigSpec,
    defaultHttpPort: 0,
    start: startIngest,
    logger: silentLogger(),
    clock,
    metrics: createMetrics({ service: 'ingest', collectDefaults: false }),
    env: {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: redis.prefix.replace(/:$/, ''),
      INGEST_HTTP_PORT: '0',
      INGEST_HTTP_HOST: '127.0.0.1',
      INGEST_WRITE_KEYS: `web:${BROWSER_KEY}:browser,backend:${SERVER_KEY}:server`,
      INGEST_EVENTS_TOPIC: eventsTopic,
      INGEST_REJECTS_TOPIC: rejectsTopic,
      INGEST_PROFILE_CHANGES_TOPIC: profileChangesTopic,
      INGEST_ERASURE_GROUP_ID: erasureGroup,
      ...env,
    },
  });
  const running = await runtime.start().catch(async (err: unknown) => {
    await kafka.cleanup();
    await redis.cleanup();
    throw err;
  });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }),
  });
  const offsets = async () => ({
    events: await kafka.endOffsets(eventsTopic),
    rejects: await kafka.endOffsets(rejectsTopic),
  });
  return {
    url: running.url,
    clock,
    eventsTopic,
    rejectsTopic,
    profileChangesTopic,
    kafka,
    redis,
    runtime,
    mark: offsets,
    async readEvents(count, from) {
      const records = await kafka.readRecords(eventsTopic, { count, ...(from ? { from } : {}) });
      return Promise.all(
        records.map(async (r) => ({
          key: r.key?.toString('utf8') ?? '',
          event: (await serde.decode<PulseEvent>(r.value, { readerSchema: EVENTS_V1_SCHEMA }))
            .value,
        })),
      );
    },
    async readRejects(count, from) {
      const records = await kafka.readRecords(rejectsTopic, { count, ...(from ? { from } : {}) });
      return records.map((r) => JSON.parse(r.value?.toString('utf8') ?? 'null') as EventReject);
    },
    async countEvents(from) {
      const now = await kafka.endOffsets(eventsTopic);
      return now.reduce((sum, p) => {
        const start = from.find((f) => f.partition === p.partition)?.offset ?? '0';
        return sum + Number(BigInt(p.offset) - BigInt(start));
      }, 0);
    },
    async stop() {
      await runtime.stop();
      // The erasure consumer created its dead-letter topic at start (absent if it never started).
      const dlq = dlqTopic(
        env.INGEST_PROFILE_CHANGES_TOPIC ?? profileChangesTopic,
        env.INGEST_ERASURE_GROUP_ID ?? erasureGroup,
      );
      await kafka.deleteTopics([dlq]).catch(() => undefined);
      await kafka.cleanup();
      await redis.cleanup();
    },
  };
}

/** `Authorization: Basic base64(key:)`, as Segment clients send it. */
export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
