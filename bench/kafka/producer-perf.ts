import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Kafka's own ProducerPerformance (kafka-tools jar from the native stack's lib folder). */
export interface ProducerPerfResult {
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  p99LatencyMs: number;
  raw: string;
}

export function kafkaLibDir(): string {
  const state = process.env.PULSE_STATE_DIR ?? path.resolve(__dirname, '..', '..', '.state');
  const lib = path.join(state, 'kafka', 'lib');
  if (!existsSync(lib)) throw new Error(`no Kafka jars under ${lib}: run \`pnpm stack:up\` first`);
  return lib;
}

export function runProducerPerformance(options: {
  brokers: string;
  topic: string;
  records: number;
  recordSize: number;
}): ProducerPerfResult {
  const args = [
    '-Xmx512m',
    '-cp',
    `${kafkaLibDir()}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--record-size',
    String(options.recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${options.brokers}`,
    'acks=all',
    'enable.idempotence=true',
    'linger.ms=5',
    'batch.size=65536',
  ];
  const res = spawnSync('java', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`ProducerPerformance failed: ${res.stderr}`);
  // Last line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, ... 99th ..."
  const last = res.stdout.trim().split('\n').pop() ?? '';
  const num = (re: RegExp): number => Number(re.exec(last)?.[1] ?? NaN);
  return {
    recordsPerSec: num(/([\d.]+) records\/sec/),
    mbPerSec: num(/\(([\d.]+) MB\/sec\)/),
    avgLatencyMs: num(/([\d.]+) ms avg latency/),
    p99LatencyMs: num(/([\d.]+) ms 99th/),
    raw: last,
  };
}
