/**
 * Profile fold benchmark: folds generated events (browsing, carts, orders, email) into Redis
 * through the service's folder, batch by batch as the consumer does, and reports events/s, Redis
 * round trips per event, p99 batch fold latency and bytes per profile (MEMORY USAGE), beside a
 * redis-benchmark run of the same apply-ops script in the same run.
 * Then the Kafka path end to end: the same kind of events pre-produced to a fresh events topic
 * (2 partitions), folded by the real service wiring (startProfileBuilder: consume → fold → produce
 * profile changes → commit), timed from start until the group's committed offsets cover them all.
 *   pnpm bench:profile [events] [customers] [kafka events]
 */
import { execFileSync } from 'node:child_process';
import { ManualClock, silentLogger } from '@pulse/core';
import { createRedis } from '@pulse/redis';
import { printTable, writeResults } from '../lib/report';
import { DAY_MS, type FoldOptions } from '../../services/profile-builder/src/fold-options';
import { foldEvent } from '../../services/profile-builder/src/fold';
import { createFolder } from '../../services/profile-builder/src/folder';
import { createProfileKeys } from '../../services/profile-builder/src/keys';
import { encodeOps } from '../../services/profile-builder/src/ops';
import { loadProfileScripts } from '../../services/profile-builder/src/scripts';
import { createProfileStore } from '../../services/profile-builder/src/store';
import {
  emailEvent,
  line,
  orderEvent,
  pageEvent,
  productEvent,
} from '../../services/profile-builder/src/test-events';
import { SCHEMAS, TOPICS, type PulseEvent } from '@pulse/contracts';
import { loadConfig } from '@pulse/config';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import { createTestKafka, getStack, randomName } from '@pulse/testkit';
import { configSpec } from '../../services/profile-builder/src/config';
import { startProfileBuilder } from '../../services/profile-builder/src/profile-builder';

const TOTAL = Number(process.argv[2] ?? 60_000);
const CUSTOMERS = Number(process.argv[3] ?? 2_000);
const KAFKA_EVENTS = Number(process.argv[4] ?? 30_000);
const BATCH = 500;
const NOW = Date.UTC(2025, 2, 20);
const FOLD: FoldOptions = {
  money: { baseCurrency: 'USD', rates: {} },
  affinityHalfLifeMs: 30 * DAY_MS,
  bucketDays: 200,
};
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function event(i: number): PulseEvent {
  const who = { userId: `c${i % CUSTOMERS}`, occurredAt: NOW - (i % 180) * DAY_MS - i };
  const product = line({ product_id: `p${i % 50}`, category: `cat${i % 7}`, price: 20 + (i % 30) });
  switch (i % 10) {
    case 0:
      return orderEvent({ order_id: `o${i}`, total: 30 + (i % 70), products: [product] }, who);
    case 1:
      return productEvent('Product Added', product, who);
    case 2:
      return emailEvent('Email Delivered', `s${i % 40}`, who);
    case 3:
      return emailEvent('Email Opened', `s${i % 40}`, who);
    case 4:
      return pageEvent(`cat${i % 7}`, who);
    default:
      return productEvent('Product Viewed', product, who);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** events.v1 → fold → profile-changes.v1 with commits, through the service's own wiring. */
async function kafkaEndToEnd(): Promise<{ eventsPerSecond: number; changes: number }> {
  const stack = getStack();
  const logger = silentLogger();
  const testKafka = createTestKafka(stack);
  const eventsTopic = randomName('bench-pb-events');
  const changesTopic = randomName('bench-pb-changes');
  const groupId = randomName('bench-pb');
  const prefix = `bench:pbk:${Date.now().toString(36)}`;
  await testKafka.createTopics([eventsTopic, changesTopic], { partitions: 2 });
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'bench-pb', logger });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }),
  });
  const producer = createProducer({
    kafka,
    serde,
    logger,
    schemas: { [eventsTopic]: SCHEMAS[TOPICS.events] },
  });
  await producer.connect();
  for (let i = 0; i < KAFKA_EVENTS; i += 5_000) {
    const chunk = Array.from({ length: Math.min(5_000, KAFKA_EVENTS - i) }, (_, j) => event(i + j));
    await Promise.all(
      chunk.map((value) =>
        producer.send<PulseEvent>(eventsTopic, { key: value.userId ?? value.id, value }),
      ),
    );
  }
  await producer.close();
  const config = loadConfig(configSpec, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    PROFILE_KEY_PREFIX: prefix,
    PROFILE_GROUP_ID: groupId,
    PROFILE_EVENTS_TOPIC: eventsTopic,
    PROFILE_CHANGES_TOPIC: changesTopic,
  });
  const admin = kafka.kafkajs.admin();
  await admin.connect();
  const started = performance.now();
  const builder = await startProfileBuilder({ config, logger, clock: new ManualClock(NOW) });
  let committed = 0;
  while (committed < KAFKA_EVENTS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [eventsTopic] });
    committed = (offsets?.partitions ?? []).reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await builder.close();
  const ends = await testKafka.endOffsets(changesTopic);
  const changes = ends.reduce((sum, p) => sum + Number(p.offset), 0);
  await admin.disconnect();
  await testKafka.cleanup();
  await cleanPrefix(prefix);
  return { eventsPerSecond: KAFKA_EVENTS / seconds, changes };
}

async function cleanPrefix(prefix: string | undefined): Promise<void> {
  if (!prefix) return;
  const redis = createRedis({ url, logger: silentLogger(), autoPipelining: false });
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (found.length > 0) await redis.unlink(...found);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

async function main(): Promise<void> {
  const prefix = `bench:pb:${Date.now().toString(36)}`;
  const redis = createRedis({ url, logger: silentLogger(), autoPipelining: false });
  const keys = createProfileKeys(prefix);
  const scripts = loadProfileScripts();
  const store = createProfileStore({ redis, keys, scripts, markRetentionMs: 7 * DAY_MS });
  await store.prepare();
  const folder = createFolder({
    store,
    fold: FOLD,
    clock: new ManualClock(NOW),
    logger: silentLogger(),
    publish: async () => undefined,
  });
  const events = Array.from({ length: TOTAL }, (_, i) => event(i));
  const latencies: number[] = [];
  const tripsBefore = store.roundTrips();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH) {
    const t0 = performance.now();
    await folder.foldBatch(events.slice(i, i + BATCH));
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // Where the time goes: this process's CPU per event; the rest is waiting on Redis.
  const cpuMicrosPerEvent = (cpu.user + cpu.system) / TOTAL;
  const trips = store.roundTrips() - tripsBefore;
  latencies.sort((a, b) => a - b);

  let bytes = 0;
  const sample = Math.min(100, CUSTOMERS);
  for (let c = 0; c < sample; c += 1) {
    for (const key of keys.customer(`u:c${c}`))
      bytes += Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
  }
  const perProfile = bytes / sample;

  // Baseline: redis-benchmark runs the same script (a Product Viewed's ops, no snapshot) on one customer.
  const probe = foldEvent(productEvent('Product Viewed', line(), { userId: 'bench' }), FOLD);
  const ops = probe.ok ? encodeOps(probe.ops) : [];
  const k = keys.customer('u:bench-baseline');
  const u = new URL(url);
  const csv = execFileSync(
    'redis-benchmark',
    [
      '-h',
      u.hostname,
      '-p',
      u.port || '6379',
      '-n',
      '50000',
      '-P',
      '50',
      '-c',
      '4',
      '--csv',
      'EVALSHA',
      scripts.applyOps.sha,
      String(k.length),
      ...k,
      '__rand_int__',
      String(NOW),
      '0',
      'none',
      ...ops,
    ],
    { encoding: 'utf8' },
  );
  const baseline = Number(/"EVALSHA[^"]*","([\d.]+)"/.exec(csv)?.[1] ?? 0);

  const e2e = KAFKA_EVENTS > 0 ? await kafkaEndToEnd() : undefined;

  const figures = [
    {
      figure: 'events folded per second (fold + Redis, batches of 500)',
      value: TOTAL / seconds,
      unit: 'events/s',
      baseline: { name: 'redis-benchmark same script', value: baseline },
      goal: '>= 15k events/s',
    },
    ...(e2e
      ? [
          {
            figure: `Kafka end to end: events.v1 → fold → profile-changes.v1 + commits (${KAFKA_EVENTS} events)`,
            value: e2e.eventsPerSecond,
            unit: 'events/s',
            goal: '>= 15k events/s',
          },
          {
            figure: 'profile change records published (Kafka run)',
            value: e2e.changes,
            unit: 'records',
          },
        ]
      : []),
    { figure: 'Redis round trips per event', value: trips / TOTAL, unit: 'trips', goal: '<= 1' },
    {
      figure: 'p99 batch fold latency (500 events)',
      value: percentile(latencies, 0.99),
      unit: 'ms',
    },
    {
      figure: 'p50 batch fold latency (500 events)',
      value: percentile(latencies, 0.5),
      unit: 'ms',
    },
    { figure: 'bytes per profile (MEMORY USAGE, all 12 keys)', value: perProfile, unit: 'bytes' },
    {
      figure: 'fold process CPU per event (rest: waiting on Redis)',
      value: cpuMicrosPerEvent,
      unit: 'µs',
    },
  ];
  printTable(`profile fold: ${TOTAL} events over ${CUSTOMERS} customers`, figures);
  console.log(
    `results: ${writeResults('profile', { total: TOTAL, customers: CUSTOMERS, batch: BATCH, kafkaEvents: KAFKA_EVENTS, figures })}`,
  );

  // Clean up only this run's keys.
  await redis.quit();
  await cleanPrefix(prefix);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
