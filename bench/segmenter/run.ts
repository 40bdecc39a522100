/**
 * bench:segmenter — (1) evaluations per profile change and evaluations/s (evaluateChange with the
 * dependency index over the shipped segments, realistic mixed profiles, one core);
 * (2) profile-changes.v1 produced → segment-changes.v1 received, p50/p99, at a fixed rate through
 * the real segmenter (Kafka, registry, Redis); (3) time-driven exits: lateness of the published
 * exit behind its due instant with N re-checks pending.
 *   set -a; eval "$(bash infra/stack.sh env)"; set +a; pnpm bench:segmenter
 *   (BENCH_SEG_CHANGES=3000 BENCH_SEG_RATE=500 BENCH_SEG_EXITS=2000 BENCH_SEG_PENDING=100000)
 */
import path from 'node:path';
import { loadConfig } from '@pulse/config';
import { SCHEMAS, type ProfileChange, type SegmentChange } from '@pulse/contracts';
import { silentLogger, systemClock } from '@pulse/core';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
} from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { closeRedis, createRedis } from '@pulse/redis';
import { ev, snapshotFrom, type AggregateEvent } from '@pulse/rules';
import { createTestKafka, getStack, randomName, waitFor } from '@pulse/testkit';
import { startSegmenter } from '@pulse/segmenter/dist/app';
import { segmenterConfigSpec } from '@pulse/segmenter/dist/config';
import { evaluateChange } from '@pulse/segmenter/dist/evaluator';
import { loadSegments, readSegmentFiles } from '@pulse/segmenter/dist/segment-files';
import { printTable, writeResults, type Figure } from '../lib/report';

const CHANGES = Number(process.env.BENCH_SEG_CHANGES ?? 3000);
const RATE = Number(process.env.BENCH_SEG_RATE ?? 500);
const EXITS = Number(process.env.BENCH_SEG_EXITS ?? 2000);
const PENDING = Number(process.env.BENCH_SEG_PENDING ?? 100_000);
const DAY = 86_400_000;
const SEGMENTS = path.resolve(__dirname, '../../config/segments');
const { set } = loadSegments(readSegmentFiles(SEGMENTS));

function q(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

/** A customer's history: visits, views, carts, orders, emails over 200 days (seeded). */
function story(i: number, now: number): AggregateEvent[] {
  let seed = i * 2654435761;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 10_000) / 10_000;
  const events: AggregateEvent[] = [];
  const n = 5 + Math.floor(rnd() * 60);
  for (let k = 0; k < n; k += 1) {
    const t = now - Math.floor(rnd() * 200 * DAY);
    const r = rnd();
    if (r < 0.35) events.push(ev('page', t));
    else if (r < 0.55) events.push(ev('Product Viewed', t, { product: { price: 20 } }));
    else if (r < 0.65) events.push(ev('Product Added', t));
    else if (r < 0.75) events.push(ev('Order Completed', t, { total: Math.round(rnd() * 400) }));
    else if (r < 0.85) events.push(ev('Email Delivered', t, { send_id: `s${k}` }));
    else if (r < 0.93) events.push(ev('Email Opened', t, { send_id: `s${k}` }));
    else events.push(ev('Email Link Clicked', t, { send_id: `s${k}` }));
  }
  return events;
}

function micro(now: number): Figure[] {
  const profiles = Array.from({ length: 2000 }, (_, i) => {
    const events = story(i, now);
    const last = events[events.length - 1] as AggregateEvent;
    const snapshot = snapshotFrom(set.aggregates, { events });
    const changed = [
      'lastSeenAt',
      ...set.aggregates
        .filter((a) => a.events.includes(last.type))
        .map((a) => `aggregates.${a.id}`),
    ];
    return { snapshot, changed };
  });
  let evaluations = 0;
  const started = process.hrtime.bigint();
  for (let round = 0; round < 10; round += 1)
    profiles.forEach((p, i) => {
      evaluations += evaluateChange(set, {
        customerId: `c${i}`,
        snapshot: p.snapshot,
        changed: p.changed,
        memberships: new Set(),
        distributions: new Map(),
        now,
      }).evaluated;
    });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const changes = profiles.length * 10;
  return [
    { figure: `segments loaded`, value: set.segments.length, unit: '' },
    {
      figure: 'segments evaluated per change (dependency index)',
      value: evaluations / changes,
      unit: 'evals',
    },
    {
      figure: 'changes evaluated per second (incl. ProfileView parse)',
      value: changes / seconds,
      unit: '/s',
    },
    {
      figure: 'segment evaluations per second, one core',
      value: evaluations / seconds,
      unit: '/s',
      goal: '≥ 50k/s',
    },
  ];
}

async function main(): Promise<void> {
  const stack = getStack();
  const logger = silentLogger();
  const now = Date.now();
  const figures = micro(now);
  const testKafka = createTestKafka(stack);
  const changesTopic = randomName('bench-profile-changes');
  const segmentTopic = randomName('bench-segment-changes');
  await testKafka.createTopics([changesTopic, segmentTopic], {
    partitions: 4,
    configs: { 'retention.bytes': String(256 * 1024 * 1024) },
  });
  const prefix = randomName('bench-seg');
  const config = loadConfig(segmenterConfigSpec, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: prefix,
    SEGMENTER_PROFILE_CHANGES_TOPIC: changesTopic,
    SEGMENTER_SEGMENT_CHANGES_TOPIC: segmentTopic,
    SEGMENTER_GROUP_ID: randomName('segmenter'),
    SEGMENTER_SEGMENTS_DIR: SEGMENTS,
    SEGMENTER_TIMER_POLL: '50ms',
    SEGMENTER_TIMER_CONCURRENCY: '256',
  });
  const metrics = createMetrics({ service: 'segmenter', collectDefaults: false });
  const segmenter = await startSegmenter({ config, logger, clock: systemClock, metrics });
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'bench-seg', logger });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }),
  });
  const schemas = {
    [changesTopic]: SCHEMAS['profile-changes.v1'],
    [segmentTopic]: SCHEMAS['segment-changes.v1'],
  };
  const producer = createProducer({ kafka, serde, schemas, logger });
  await producer.connect();
  const sentAt = new Map<string, number>();
  const latency: number[] = [];
  const lateness: number[] = [];
  const exitIds = new Set<string>();
  const watcher = createBatchConsumer<SegmentChange>({
    kafka,
    serde,
    producer,
    logger,
    groupId: randomName('bench-watch'),
    topics: [segmentTopic],
    readerSchemas: schemas,
    fromBeginning: true,
    maxRecordsPerCall: 5000,
    partitionsConsumedConcurrently: 4,
    handleBatch: async (records) => {
      const t = Date.now();
      for (const { value } of records) {
        const key = `${value.customerId}:${value.eventId ?? ''}`;
        const s = sentAt.get(key);
        if (s !== undefined && value.cause === 'event') {
          latency.push(t - s);
          sentAt.delete(key);
        }
        if (
          value.cause === 'clock' &&
          value.segmentId === 'recent-visitors' &&
          exitIds.has(value.customerId)
        ) {
          lateness.push(t - value.at);
          exitIds.delete(value.customerId);
        }
      }
    },
  });
  await watcher.start();
  const change = (customerId: string, events: AggregateEvent[], version = 1): ProfileChange => {
    const profile = snapshotFrom(set.aggregates, { events });
    const last = events[events.length - 1] as AggregateEvent;
    return {
      customerId,
      version,
      eventId: `${customerId}-${version}`,
      eventType: last.type,
      eventOccurredAt: last.occurredAt,
      at: Date.now(),
      changed: [
        'firstSeenAt',
        'lastSeenAt',
        ...Object.keys(profile.aggregates).map((a) => `aggregates.${a}`),
      ],
      profile,
      mergedFrom: [],
      mergedInto: null,
      tombstone: false,
    };
  };

  // (2) latency at a fixed rate: each change is a new customer whose last event is a visit now,
  // so Recent Visitors (at least) is entered and one record per change is timed.
  const built = Array.from({ length: CHANGES }, (_, i) =>
    change(`lat-${i}`, [...story(i, Date.now()), ev('page', Date.now())]),
  );
  const began = Date.now();
  for (let i = 0; i < built.length; i += 1) {
    const target = began + (i * 1000) / RATE;
    const wait = target - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const value = built[i] as ProfileChange;
    sentAt.set(`${value.customerId}:${value.eventId}`, Date.now());
    void producer.send<ProfileChange>(changesTopic, { key: value.customerId, value });
  }
  await waitFor(() => latency.length >= CHANGES * 0.99, {
    timeoutMs: 120_000,
    description: 'entries',
  });
  const sorted = [...latency].sort((a, b) => a - b);
  figures.push(
    {
      figure: `change → segment change p50 (${RATE}/s, ${CHANGES} changes)`,
      value: q(sorted, 0.5),
      unit: 'ms',
      goal: '≤ 20 ms',
    },
    { figure: 'change → segment change p99', value: q(sorted, 0.99), unit: 'ms', goal: '≤ 100 ms' },
  );

  // (3) time-driven exits: PENDING re-checks parked far ahead, EXITS customers whose 7-day
  // visit window lapses within the next seconds (spread over 2 s).
  const redis = createRedis({ url: stack.redisUrl, logger });
  const far = Date.now() + 30 * DAY;
  for (let i = 0; i < PENDING; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, PENDING - i) }, (_, k) =>
        segmenter.scheduler.schedule(`parked-${i + k}`, far + i + k),
      ),
    );
  }
  const dueBase = Date.now() + 8_000;
  const exits = Array.from({ length: EXITS }, (_, i) => {
    const due = dueBase + Math.floor((i * 2000) / EXITS);
    exitIds.add(`exit-${i}`);
    return change(`exit-${i}`, [ev('page', due - 7 * DAY)]);
  });
  for (const value of exits)
    void producer.send<ProfileChange>(changesTopic, { key: value.customerId, value });
  await waitFor(() => exitIds.size === 0, { timeoutMs: 120_000, description: 'exits' });
  const late = [...lateness].sort((a, b) => a - b);
  figures.push(
    {
      figure: `time-driven exit lateness p50 (${EXITS} due over 2 s, ${PENDING} parked)`,
      value: q(late, 0.5),
      unit: 'ms',
    },
    { figure: 'time-driven exit lateness p99', value: q(late, 0.99), unit: 'ms', goal: '≤ 100 ms' },
  );
  printTable('segmenter', figures);
  console.log(`results: ${writeResults('segmenter', { figures, CHANGES, RATE, EXITS, PENDING })}`);
  await watcher.close();
  await producer.close();
  await segmenter.close();
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }))
    if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  await closeRedis(redis);
  await testKafka.cleanup();
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
