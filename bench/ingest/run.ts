/**
 * Ingest figures (issue 4), measured in one run through the real broker, registry and Redis:
 * - single-event POST /v1/track through the built service vs a bare express JSON echo
 *   (goal: ≥ 50% of the echo's requests/s);
 * - p99 latency of POST /v1/track at half the service's measured rate (goal: ≤ 25 ms);
 * - POST /v1/batch throughput in events/s (goal: ≥ 50k events/s);
 * - baseline: the bare @pulse/kafka producer writing the same events.v1 records.
 *   pnpm build && pnpm bench:ingest        (BENCH_SECONDS=10 by default)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { EVENTS_V1_SCHEMA, eventKey, readFixture } from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import { createTestKafka, getStack, randomName } from '@pulse/testkit';
import { printTable, writeResults, type Figure } from '../lib/report';

const ROOT = path.resolve(__dirname, '..', '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const KEY = 'bench-server-key';
const AUTH = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
const BATCH_SIZE = 500;

function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-4000);
      const json = /"port":(\d+)/.exec(out);
      const plain = /^(\d+)\n/.exec(out);
      const port = json?.[1] ?? plain?.[1];
      if (port) resolve({ child, port: Number(port) });
    });
    child.once('exit', (code) =>
      reject(new Error(`${command} exited with ${code}: ${out.slice(-2000)}`)),
    );
  });
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

let seq = 0;
const trackBody = () =>
  JSON.stringify({
    messageId: `bench-${process.pid}-${++seq}`,
    userId: `cust-${seq % 5000}`,
    event: 'Product Viewed',
    properties: { product_id: `p-${seq % 300}`, price: 19.99, currency: 'EUR', category: 'shoes' },
    context: { page: { url: 'https://shop.test/p' }, userAgent: 'bench', locale: 'en-GB' },
  });
const batchBody = () =>
  JSON.stringify({
    batch: Array.from({ length: BATCH_SIZE }, () => ({
      type: 'track',
      ...JSON.parse(trackBody()),
    })),
  });

async function load(
  url: string,
  path: string,
  body: () => string,
  options: { connections: number; overallRate?: number },
) {
  const result = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    duration: SECONDS,
    connections: options.connections,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    headers: { 'content-type': 'application/json', authorization: AUTH },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  const non2xx = result.non2xx + result.errors;
  if (non2xx > 0) console.warn(`${path}: ${non2xx} non-2xx/errors of ${result.requests.total}`);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    total: result.requests.total,
    non2xx,
  };
}

async function bareProducer(topic: string, records: number): Promise<number> {
  const stack = getStack();
  const kafka = createKafka({
    brokers: stack.kafkaBrokers,
    clientId: 'bench-bare',
    logger: silentLogger(),
  });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }),
  });
  const producer = createProducer({ kafka, serde, schemas: { [topic]: EVENTS_V1_SCHEMA } });
  const template = readFixture('events.v1', 'product-viewed');
  await producer.connect();
  await producer.send(topic, { key: 'warm', value: template });
  const started = performance.now();
  const window = 5000;
  for (let i = 0; i < records; i += window) {
    await Promise.all(
      Array.from({ length: Math.min(window, records - i) }, (_, j) => {
        const event = { ...template, id: `bare-${i + j}`, userId: `cust-${(i + j) % 5000}` };
        return producer.send(topic, { key: eventKey(event), value: event });
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.close();
  return records / seconds;
}

async function main(): Promise<void> {
  const entry = path.join(ROOT, 'services', 'ingest', 'dist', 'main.js');
  if (!existsSync(entry)) throw new Error('services/ingest is not built: run `pnpm build` first');
  const stack = getStack();
  const kafka = createTestKafka(stack);
  const topic = randomName('bench-ingest-events');
  const rejects = randomName('bench-ingest-rejects');
  const changes = randomName('bench-ingest-profile-changes'); // its erasure consumer's topic
  const limits = { 'retention.bytes': String(256 * 1024 * 1024), 'retention.ms': '600000' };
  await kafka.createTopics([topic, rejects, changes], { partitions: 6, configs: limits });
  const children: ChildProcess[] = [];
  try {
    const echo = await startProcess(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'echo-server.ts')],
      {},
    );
    children.push(echo.child);
    const echoUrl = `http://127.0.0.1:${echo.port}`;
    const ingest = await startProcess(process.execPath, [entry], {
      INGEST_HTTP_PORT: '0',
      INGEST_HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      INGEST_WRITE_KEYS: `bench:${KEY}:server`,
      INGEST_EVENTS_TOPIC: topic,
      INGEST_REJECTS_TOPIC: rejects,
      INGEST_PROFILE_CHANGES_TOPIC: changes,
      INGEST_ERASURE_GROUP_ID: randomName('bench-ingest-erasure'),
      REDIS_PREFIX: `bench:${randomName('ingest')}`,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      REDIS_URL: stack.redisUrl,
    });
    children.push(ingest.child);
    const ingestUrl = `http://127.0.0.1:${ingest.port}`;
    await waitReady(ingestUrl);

    await load(echoUrl, '/v1/track', trackBody, { connections: 50 }); // warm-up, discarded
    const echoSingle = await load(echoUrl, '/v1/track', trackBody, { connections: 50 });
    await load(ingestUrl, '/v1/track', trackBody, { connections: 50 }); // warm-up
    const single = await load(ingestUrl, '/v1/track', trackBody, { connections: 50 });
    const half = await load(ingestUrl, '/v1/track', trackBody, {
      connections: 20,
      overallRate: Math.max(1, Math.floor(single.rps / 2)),
    });
    const batch = await load(ingestUrl, '/v1/batch', batchBody, { connections: 8 });
    const echoBatch = await load(echoUrl, '/v1/batch', batchBody, { connections: 8 });
    const bare = await bareProducer(topic, 200_000);

    const figures: Figure[] = [
      {
        figure: 'POST /v1/track (validate + Avro + Kafka ack)',
        value: single.rps,
        unit: 'req/s',
        baseline: { name: 'bare express echo', value: echoSingle.rps },
        goal: '≥ 50% of echo',
      },
      {
        figure: `p99 latency at half rate (${Math.floor(single.rps / 2)} req/s)`,
        value: half.p99,
        unit: 'ms',
        goal: '≤ 25 ms',
      },
      { figure: 'p50 latency at half rate', value: half.p50, unit: 'ms' },
      {
        figure: `POST /v1/batch (${BATCH_SIZE} events/request)`,
        value: batch.rps * BATCH_SIZE,
        unit: 'events/s',
        baseline: { name: 'bare echo of same batches', value: echoBatch.rps * BATCH_SIZE },
        goal: '≥ 50,000 events/s',
      },
      { figure: 'bare @pulse/kafka producer, same records', value: bare, unit: 'events/s' },
    ];
    printTable(`Ingest (${SECONDS}s per load, 2-core box shared with the broker)`, figures);
    const file = writeResults('ingest', {
      seconds: SECONDS,
      figures,
      raw: { echoSingle, single, half, batch, echoBatch, bare },
    });
    console.log(`\nresults: ${path.relative(ROOT, file)}`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await kafka.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
