/**
 * bench:e2e — the product end to end: ingest → profile-builder → segmenter, each its own process
 * (the built dist/main.js, as the demo runs them), on the real stack, with 50 segments loaded
 * (the shipped ones plus generated variants of them).
 * (1) maximum sustained throughput: events of realistic store journeys posted to /v1/batch as
 *     fast as ingest takes them; rate = events / time until both consumer groups caught up;
 * (2) latency at half that rate: the same store traffic at half the rate, and among it timed
 *     probes — page views of fresh customers, BENCH_E2E_PROBE_RATE (20) a second, through
 *     /v1/page; from the request's start (an upper bound of "ingest's ack") to the Recent Visitors entry on
 *     segment-changes.v1 — "published" is the record's timestamp (set by the segmenter's
 *     producer), "seen" is when a consumer read it;
 * (3) what metrics cost: BENCH_E2E_METRICS_EVENTS (20 000) events through /v1/batch with the
 *     services started with metrics on, then restarted with PULSE_METRICS=off, twice each,
 *     alternating; the ratio of the mean rates is the figure (0 skips it);
 * (4) optional soak (BENCH_E2E_SOAK_MINUTES=10): a fixed rate (BENCH_E2E_SOAK_RATE, default
 *     10 000/s) for that long; consumer lag sampled every 10 s must not grow.
 *   pnpm build; set -a; eval "$(bash infra/stack.sh env)"; set +a; pnpm bench:e2e
 *   (BENCH_E2E_EVENTS=60000 BENCH_E2E_PROBES=600 BENCH_E2E_PROBE_RATE=20 BENCH_E2E_SEGMENTS=50)
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SCHEMAS, type SegmentChange } from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
  deleteTopics,
  provisionTopics,
} from '@pulse/kafka';
import { demoServices, demoTopics, supervise, type DemoPlan } from '@pulse/cli';
import { getStack, randomName, waitFor } from '@pulse/testkit';
import { printTable, writeResults, type Figure } from '../lib/report';

const ROOT = path.resolve(__dirname, '..', '..');
const EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 60_000);
const LATENCY_EVENTS = Number(process.env.BENCH_E2E_PROBES ?? 600);
const SEGMENTS = Number(process.env.BENCH_E2E_SEGMENTS ?? 50);
const SOAK_MINUTES = Number(process.env.BENCH_E2E_SOAK_MINUTES ?? 0);
const SOAK_RATE = Number(process.env.BENCH_E2E_SOAK_RATE ?? 10_000);
/** Events per run of the metrics on/off comparison (two runs each, alternating); 0 skips it. */
const METRICS_EVENTS = Number(process.env.BENCH_E2E_METRICS_EVENTS ?? 20_000);
const BATCH = 500;
/** Timed page views per second during (2), among the store traffic. */
const PROBE_RATE = Number(process.env.BENCH_E2E_PROBE_RATE ?? 20);
const LOAD_BATCH = 50;
const CONCURRENCY = 4;
const SERVER_KEY = 'bench-e2e-server-key';

/** The shipped segments plus variants of the event-window ones (other thresholds) up to `n`. */
function segmentsDir(n: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-e2e-segments-'));
  const shipped = path.join(ROOT, 'config', 'segments');
  const files = readdirSync(shipped).filter((f) => f.endsWith('.yaml'));
  for (const f of files) copyFileSync(path.join(shipped, f), path.join(dir, f));
  const loaded = files.filter((f) => !f.startsWith('_')).length;
  for (let i = 0; loaded + i < n; i += 1) {
    const variant =
      i % 3 === 0
        ? `rule:\n  event: Order Completed\n  sum: total\n  gt: ${50 + 25 * i}\n  in_last: ${10 + i}d\n`
        : i % 3 === 1
          ? `rule:\n  all:\n    - event: Product Viewed\n      count: { at_least: ${1 + (i % 5)} }\n      in_last: ${1 + (i % 14)}d\n    - event: Order Completed\n      none_in: ${7 + i}d\n`
          : `rule:\n  event: page\n  count: { at_least: ${2 + (i % 7)} }\n  in_last: ${1 + (i % 10)}d\n`;
    writeFileSync(
      path.join(dir, `bench-variant-${i}.yaml`),
      `id: bench-variant-${i}\nname: Bench variant ${i}\ndescription: A generated variant for the benchmark.\n${variant}`,
    );
  }
  return dir;
}

const PRODUCTS = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5', 'sku-6'];
const CATEGORIES = ['Electronics', 'Shoes', 'Outerwear', 'Home', 'Beauty'];

/** One customer's step `i` of a store journey: browse, view, add to cart, sometimes buy. */
function journeyEvent(run: string, n: number): Record<string, unknown> {
  const customer = `${run}-c${n % 5_000}`;
  const step = Math.floor(n / 5_000) % 6;
  const product = PRODUCTS[n % PRODUCTS.length] as string;
  const category = CATEGORIES[n % CATEGORIES.length] as string;
  const base = { userId: customer, messageId: `${run}-m${n}`, timestamp: new Date().toISOString() };
  if (step === 0 || step === 3) {
    return { ...base, type: 'page', name: 'Home', properties: { path: '/', time_on_page: 12 } };
  }
  if (step === 1 || step === 4) {
    return {
      ...base,
      type: 'track',
      event: 'Product Viewed',
      properties: { product_id: product, category, price: 40, currency: 'USD' },
    };
  }
  if (step === 2) {
    return {
      ...base,
      type: 'track',
      event: 'Product Added',
      properties: { product_id: product, category, price: 40, quantity: 1, currency: 'USD' },
    };
  }
  return {
    ...base,
    type: 'track',
    event: 'Order Completed',
    properties: {
      order_id: `${run}-o${n}`,
      total: 80,
      currency: 'USD',
      products: [{ product_id: product, category, price: 40, quantity: 2 }],
    },
  };
}

const auth = `Basic ${Buffer.from(`${SERVER_KEY}:`).toString('base64')}`;

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

async function main(): Promise<void> {
  const stack = getStack();
  const logger = silentLogger();
  const namespace = randomName('e2e');
  const topics = demoTopics(namespace);
  const plan: DemoPlan = {
    root: ROOT,
    namespace,
    portBase: Number(process.env.BENCH_E2E_PORT_BASE ?? 18_400),
    stack: {
      kafkaBrokers: stack.kafkaBrokers.join(','),
      schemaRegistryUrl: stack.schemaRegistryUrl,
      redisUrl: stack.redisUrl,
      smtpUrl: stack.smtpUrl,
    },
    browserKey: 'bench-e2e-browser-key',
    serverKey: SERVER_KEY,
    segmenterToken: `bench-e2e-segmenter-${namespace}`,
    cartDelay: '30m',
    logLevel: 'warn',
  };
  const segments = segmentsDir(SEGMENTS);
  const services = demoServices(plan)
    .filter((s) => ['ingest', 'profile-builder', 'segmenter'].includes(s.name))
    .map((s) => ({
      ...s,
      env: { ...s.env, PROFILE_SEGMENTS_DIR: segments, SEGMENTER_SEGMENTS_DIR: segments },
    }));
  if (services.length !== 3) throw new Error('build first: pnpm build (services/*/dist missing)');
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'bench-e2e', logger });
  const runTopics = Object.values(topics);
  await provisionTopics({ kafka, specs: runTopics.map((topic) => ({ topic, partitions: 6 })) });
  const onLine = (line: string): void => {
    if (/"level":(50|60)|\berror\b/i.test(line)) console.error(line);
  };
  let supervisor = supervise(services, onLine);
  const admin = kafka.kafkajs.admin();
  const figures: Figure[] = [];
  const raw: Record<string, unknown> = {};
  try {
    await supervisor.ready(120_000);
    await admin.connect();
    const ingest = `http://127.0.0.1:${plan.portBase}`;

    /** Records behind the group's committed offsets on `topic` (all of them before a commit). */
    const lag = async (groupId: string, topic: string): Promise<number> => {
      const [high, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const done = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
      );
      return high.reduce((sum, p) => {
        const at = done.get(p.partition) ?? -1;
        return sum + Number(p.high) - (at < 0 ? Number(p.low) : at);
      }, 0);
    };
    const pipelineLag = async (): Promise<number> =>
      (await lag(`${namespace}-profile-builder`, topics.events)) +
      (await lag(`${namespace}-segmenter`, topics.profileChanges));

    /** Posts `events` store events to /v1/batch and waits until both consumers caught up. */
    const throughput = async (events: number, run: string) => {
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < events) {
            const from = next;
            next += BATCH;
            const batch = Array.from({ length: Math.min(BATCH, events - from) }, (_, i) =>
              journeyEvent(run, from + i),
            );
            await post(`${ingest}/v1/batch`, { batch });
          }
        }),
      );
      const acked = performance.now();
      await waitFor(async () => (await pipelineLag()) === 0, {
        timeoutMs: 600_000,
        intervalMs: 100,
        description: 'profile-builder and segmenter to catch up',
      });
      const seconds = (performance.now() - started) / 1000;
      return { events, seconds, ingestSeconds: (acked - started) / 1000, rate: events / seconds };
    };

    // (1) maximum sustained throughput.
    console.log(`(1) ${EVENTS} events through /v1/batch, ${CONCURRENCY} requests at a time...`);
    const first = await throughput(EVENTS, randomName('t'));
    const maxRate = first.rate;
    raw.throughput = first;
    figures.push({
      figure: `ingest → profile → segment, sustained (${EVENTS} events, ${SEGMENTS} segments)`,
      value: maxRate,
      unit: 'events/s',
      goal: '≥ 10k events/s',
    });

    // (2) latency at half the maximum rate.
    const rate = Math.max(1, Math.round(maxRate / 2));
    const serde = createAvroSerde({
      registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }),
    });
    const producer = createProducer({ kafka, serde, logger });
    const ackedAt = new Map<string, number>();
    const published: number[] = [];
    const seen: number[] = [];
    const latencyRun = randomName('l');
    const watcher = createBatchConsumer<SegmentChange>({
      kafka,
      serde,
      producer,
      logger,
      groupId: randomName('bench-e2e-watch'),
      topics: [topics.segmentChanges],
      readerSchemas: { [topics.segmentChanges]: SCHEMAS['segment-changes.v1'] },
      fromBeginning: false,
      partitionsConsumedConcurrently: 6,
      handleBatch: async (records) => {
        const now = Date.now();
        for (const { value, timestamp } of records) {
          if (value.segmentId !== 'recent-visitors' || value.change !== 'entered') continue;
          const user = value.customerId.replace(/^u:/, '');
          const t = ackedAt.get(user);
          if (t === undefined) continue;
          ackedAt.delete(user);
          published.push(timestamp - t);
          seen.push(now - t);
        }
      },
    });
    await watcher.start();
    await new Promise((r) => setTimeout(r, 3_000)); // the watcher joined its group
    // The load is the same store traffic as (1) at half its maximum rate; timed among it are
    // probes: page views of fresh customers (each enters Recent Visitors), PROBE_RATE a second.
    const probeEvery = 1000 / PROBE_RATE;
    const probes = LATENCY_EVENTS;
    console.log(
      `(2) store traffic at ${rate}/s (half the max) with ${probes} timed probes at ${PROBE_RATE}/s...`,
    );
    const began = Date.now();
    const sends: Promise<void>[] = [];
    const loadRun = randomName('lt');
    let loadSent = 0;
    let stopLoad = false;
    const background = (async () => {
      while (!stopLoad) {
        const due = Math.floor(((Date.now() - began) / 1000) * rate);
        if (due - loadSent >= LOAD_BATCH) {
          const from = loadSent;
          loadSent += LOAD_BATCH;
          const batch = Array.from({ length: LOAD_BATCH }, (_, i) =>
            journeyEvent(loadRun, from + i),
          );
          sends.push(post(`${ingest}/v1/batch`, { batch }));
        } else await new Promise((r) => setTimeout(r, 5));
      }
    })();
    for (let i = 0; i < probes; i += 1) {
      const wait = began + i * probeEvery - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const user = `${latencyRun}-v${i}`;
      // Timed from the request's start, not from its 200: this process's own event loop (it
      // sends and consumes at once) would delay seeing the 200 and flatter the figure. So the
      // figure is an upper bound of "ack → published".
      ackedAt.set(user, Date.now());
      sends.push(
        post(`${ingest}/v1/page`, {
          userId: user,
          messageId: `${latencyRun}-m${i}`,
          name: 'Home',
          properties: { path: '/' },
        }),
      );
    }
    stopLoad = true;
    await background;
    await Promise.all(sends);
    await waitFor(() => published.length >= LATENCY_EVENTS * 0.99, {
      timeoutMs: 120_000,
      description: 'Recent Visitors entries',
    }).catch(() => undefined);
    await watcher.close();
    await producer.close();
    const q = (xs: number[], p: number): number => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
    };
    raw.latency = { rate, loadSent, probes, measured: published.length };
    figures.push(
      {
        figure: `request → segment change published p50 (probes among ${rate}/s of store traffic)`,
        value: q(published, 0.5),
        unit: 'ms',
        goal: '≤ 20 ms',
      },
      {
        figure: 'request → published p99',
        value: q(published, 0.99),
        unit: 'ms',
        goal: '≤ 100 ms',
      },
      { figure: 'request → seen by a consumer p50', value: q(seen, 0.5), unit: 'ms' },
      { figure: 'request → seen by a consumer p99', value: q(seen, 0.99), unit: 'ms' },
      {
        figure: 'entries measured / probes sent',
        value: published.length / LATENCY_EVENTS,
        unit: '',
      },
    );

    // (3) what metrics cost: the same throughput run with metrics on, then with every service
    // restarted under PULSE_METRICS=off (instruments inert, /metrics 404), alternating.
    if (METRICS_EVENTS > 0) {
      const rates = { on: [] as number[], off: [] as number[] };
      for (const mode of ['on', 'off', 'on', 'off'] as const) {
        await supervisor.stop(10_000);
        supervisor = supervise(
          services.map((svc) => ({ ...svc, env: { ...svc.env, PULSE_METRICS: mode } })),
          onLine,
        );
        await supervisor.ready(120_000);
        const r = await throughput(METRICS_EVENTS, randomName(`m${mode}`));
        console.log(`(3) metrics ${mode}: ${Math.round(r.rate)} events/s`);
        rates[mode].push(r.rate);
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      raw.metrics = rates;
      figures.push({
        figure: `sustained, metrics on (${METRICS_EVENTS} events, twice each, alternating)`,
        value: mean(rates.on),
        unit: 'events/s',
        baseline: { name: 'PULSE_METRICS=off', value: mean(rates.off) },
        goal: '≥ 97% of off',
      });
    }

    // (4) soak: a fixed rate for minutes, lag sampled.
    if (SOAK_MINUTES > 0) {
      console.log(`(3) soak: ${SOAK_RATE}/s for ${SOAK_MINUTES} min...`);
      const soakRun = randomName('s');
      const end = Date.now() + SOAK_MINUTES * 60_000;
      const samples: { atSeconds: number; lag: number }[] = [];
      const soakStart = Date.now();
      let sent = 0;
      const sampler = setInterval(() => {
        void pipelineLag().then((l) => {
          samples.push({ atSeconds: Math.round((Date.now() - soakStart) / 1000), lag: l });
          console.log(`  ${samples.at(-1)?.atSeconds}s lag ${l}`);
        });
      }, 10_000);
      let inFlight = 0;
      while (Date.now() < end) {
        const due = Math.floor(((Date.now() - soakStart) / 1000) * SOAK_RATE);
        while (sent + BATCH <= due && inFlight < CONCURRENCY) {
          const from = sent;
          sent += BATCH;
          inFlight += 1;
          const batch = Array.from({ length: BATCH }, (_, i) => journeyEvent(soakRun, from + i));
          void post(`${ingest}/v1/batch`, { batch }).finally(() => {
            inFlight -= 1;
          });
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      clearInterval(sampler);
      const achieved = sent / ((Date.now() - soakStart) / 1000);
      const third = Math.max(1, Math.floor(samples.length / 3));
      const avg = (xs: { lag: number }[]) => xs.reduce((a, s) => a + s.lag, 0) / xs.length;
      const firstThird = avg(samples.slice(0, third));
      const lastThird = avg(samples.slice(-third));
      raw.soak = { minutes: SOAK_MINUTES, targetRate: SOAK_RATE, achieved, samples };
      figures.push(
        {
          figure: `soak: events/s offered for ${SOAK_MINUTES} min`,
          value: achieved,
          unit: 'events/s',
          goal: '≥ 10k events/s',
        },
        { figure: 'soak: mean lag, first third', value: firstThird, unit: 'records' },
        {
          figure: 'soak: mean lag, last third',
          value: lastThird,
          unit: 'records',
          goal: 'not growing',
        },
      );
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    await supervisor.stop(10_000);
    await deleteTopics({ kafka, topics: runTopics }).catch(() => undefined);
    rmSync(segments, { recursive: true, force: true });
  }
  printTable('bench:e2e — ingest → profile-builder → segmenter, separate processes', figures);
  console.log(`results: ${writeResults('e2e', { figures, raw })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
