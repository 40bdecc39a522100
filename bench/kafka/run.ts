// bench/kafka: raw broker throughput (Kafka's ProducerPerformance at our average Avro event
// size, acks=all), a bare kafkajs consume->produce relay, and the same relay through
// packages/kafka. Goal: runtime relay >= 80% of the bare relay. Run: pnpm bench:kafka
import { EVENTS_V1_SCHEMA, fixtureNames, readFixture, type PulseEvent } from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createKafka,
  createProducer,
  createSchemaRegistry,
  deleteTopics,
  provisionTopics,
} from '@pulse/kafka';
import { getStack, randomName } from '@pulse/testkit';
import { printTable, writeResults, type Figure } from '../lib/report';
import { runBareRelay } from './bare-relay';
import { runProducerPerformance } from './producer-perf';
import { runRuntimeRelay } from './runtime-relay';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const PARTITIONS = 6;

function events(count: number): PulseEvent[] {
  const base = fixtureNames('events.v1').map((name) => readFixture('events.v1', name));
  return Array.from({ length: count }, (_, i) => {
    const fixture = base[i % base.length] as PulseEvent;
    return { ...fixture, id: `bench-${i}`, userId: `user-${i % 5_000}` };
  });
}

async function main(): Promise<void> {
  const stack = getStack();
  const logger = silentLogger();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'bench-kafka', logger });
  const registry = createSchemaRegistry({ url: stack.schemaRegistryUrl });
  const serde = createAvroSerde({ registry });
  const source = randomName('bench-source');
  const sinks = ['perf', 'bare', 'runtime', 'parallel'].map((name) => randomName(`bench-${name}`));
  const [perfTopic, bareSink, runtimeSink, parallelSink] = sinks as [
    string,
    string,
    string,
    string,
  ];
  const all = [source, ...sinks];
  await provisionTopics({
    kafka,
    specs: all.map((topic) => ({ topic, partitions: PARTITIONS })),
  });
  try {
    console.log(`filling ${source} with ${RECORDS} Avro events (${PARTITIONS} partitions)...`);
    const producer = createProducer({ kafka, serde, schemas: () => EVENTS_V1_SCHEMA });
    const encode = await serde.encoder<PulseEvent>(source, EVENTS_V1_SCHEMA);
    const values = events(RECORDS);
    const avgBytes = Math.round(
      values.slice(0, 1_000).reduce((sum, v) => sum + encode(v).length, 0) / 1_000,
    );
    for (let i = 0; i < values.length; i += 5_000) {
      await Promise.all(
        values
          .slice(i, i + 5_000)
          .map((value) => producer.send(source, { key: value.userId, value })),
      );
    }
    await producer.close();

    console.log(`ProducerPerformance: ${RECORDS} records of ${avgBytes} bytes, acks=all...`);
    const perf = runProducerPerformance({
      brokers: stack.kafkaBrokers.join(','),
      topic: perfTopic,
      records: RECORDS,
      recordSize: avgBytes,
    });
    console.log('bare kafkajs relay...');
    const bare = await runBareRelay({
      brokers: stack.kafkaBrokers,
      from: source,
      to: bareSink,
      groupId: randomName('bench-bare'),
      records: RECORDS,
    });
    console.log('packages/kafka relay...');
    const runtime = await runRuntimeRelay({
      brokers: stack.kafkaBrokers,
      registryUrl: stack.schemaRegistryUrl,
      from: source,
      to: runtimeSink,
      groupId: randomName('bench-runtime'),
      records: RECORDS,
    });

    console.log('packages/kafka relay, 3 partitions in parallel...');
    const parallel = await runRuntimeRelay({
      brokers: stack.kafkaBrokers,
      registryUrl: stack.schemaRegistryUrl,
      from: source,
      to: parallelSink,
      groupId: randomName('bench-parallel'),
      records: RECORDS,
      partitionsConsumedConcurrently: 3,
    });

    const figures: Figure[] = [
      { figure: 'broker: ProducerPerformance', value: perf.recordsPerSec, unit: 'records/s' },
      { figure: 'broker: ProducerPerformance p99', value: perf.p99LatencyMs, unit: 'ms' },
      { figure: 'bare kafkajs relay', value: bare.recordsPerSec, unit: 'records/s' },
      {
        figure: 'packages/kafka relay',
        value: runtime.recordsPerSec,
        unit: 'records/s',
        baseline: { name: 'bare kafkajs relay', value: bare.recordsPerSec },
        goal: '>= 80% of bare',
      },
      {
        figure: 'packages/kafka relay, 3 partitions in parallel',
        value: parallel.recordsPerSec,
        unit: 'records/s',
        baseline: { name: 'bare kafkajs relay', value: bare.recordsPerSec },
        goal: '>= 80% of bare',
      },
    ];
    printTable(`bench:kafka — ${RECORDS} records, ${avgBytes} B average Avro event`, figures);
    const file = writeResults('kafka', {
      figures,
      records: RECORDS,
      avgRecordBytes: avgBytes,
      partitions: PARTITIONS,
      producerPerformance: perf,
      bareRelay: bare,
      runtimeRelay: runtime,
      runtimeRelayParallel3: parallel,
      ratio: runtime.recordsPerSec / bare.recordsPerSec,
      ratioParallel3: parallel.recordsPerSec / bare.recordsPerSec,
    });
    console.log(`\nresults: ${file}`);
  } finally {
    await deleteTopics({ kafka, topics: all }).catch(() => undefined);
    for (const topic of all) await registry.deleteSubject(`${topic}-value`).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
