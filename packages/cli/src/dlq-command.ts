import {
  parseDeadLetterHeaders,
  readRaw,
  type AvroSerde,
  type DeadLetterInfo,
  type KafkaClient,
  type PulseProducer,
  type RawConsumedRecord,
} from '@pulse/kafka';
import type { DlqAdmin } from './dlq-admin';
import {
  nextOffset,
  originalHeaders,
  parseDlqTopicName,
  pendingRanges,
  recordCount,
  REPLAYED_FROM_HEADER,
  type DlqTopicName,
  type PartitionState,
} from './dlq-topics';

/** One dead-letter topic with its counts. */
export interface DlqTopicSummary extends DlqTopicName {
  /** Records on the topic now. */
  records: number;
  /** Records not replayed yet. */
  pending: number;
}

/** Every dead-letter topic with how many records it holds and how many wait for a replay. */
export async function listDlq(admin: DlqAdmin): Promise<DlqTopicSummary[]> {
  const topics = await admin.dlqTopics();
  return Promise.all(
    topics.map(async (name) => {
      const states = await admin.partitions(name.dlqTopic);
      return {
        ...name,
        records: states.reduce((sum, s) => sum + recordCount(s), 0),
        pending: pendingRanges(states).reduce((sum, r) => sum + r.count, 0),
      };
    }),
  );
}

/** A dead letter as `pulse dlq show` prints it. */
export interface DeadLetterView {
  partition: number;
  offset: string;
  key: string | null;
  /** The pulse.dlq.* headers; undefined when they are missing (not written by our consumer). */
  info: DeadLetterInfo | undefined;
  /** The original record's own headers. */
  headers: Record<string, string>;
  value: Buffer | null;
  /** The value decoded through the registry, or why it does not decode. */
  decoded: { ok: true; schemaId: number; value: unknown } | { ok: false; error: string };
}

function requireDlqName(dlqTopic: string): DlqTopicName {
  const name = parseDlqTopicName(dlqTopic);
  if (!name) throw new Error(`"${dlqTopic}" is not a dead-letter topic (<topic>.dlq.<group>)`);
  return name;
}

/** Reads the records of `ranges`' partitions between `from` and `to`, at most `limit`. */
async function readRange(
  kafka: KafkaClient,
  dlqTopic: string,
  states: readonly PartitionState[],
  start: (s: PartitionState) => string,
  limit: number,
): Promise<RawConsumedRecord[]> {
  const ends = new Map(states.map((s) => [s.partition, BigInt(s.high)]));
  const available = states.reduce((n, s) => n + Number(BigInt(s.high) - BigInt(start(s))), 0);
  const count = Math.min(limit, available);
  if (count <= 0) return [];
  const records = await readRaw({
    kafka,
    topic: dlqTopic,
    from: states.map((s) => ({ partition: s.partition, offset: start(s) })),
    count,
    // Dead letters written after the offsets were read wait for the next run.
    filter: (r) => BigInt(r.offset) < (ends.get(r.partition) ?? 0n),
  });
  return records.sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

async function decodeValue(
  serde: AvroSerde,
  value: Buffer | null,
): Promise<DeadLetterView['decoded']> {
  try {
    const decoded = await serde.decode(value);
    return { ok: true, schemaId: decoded.schemaId, value: decoded.value };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export interface ShowDlqOptions {
  kafka: KafkaClient;
  admin: DlqAdmin;
  serde: AvroSerde;
  dlqTopic: string;
  /** Most records to show, oldest first per partition. */
  limit: number;
}

/** The oldest `limit` dead letters still on the topic, with their headers and decoded value. */
export async function showDlq(options: ShowDlqOptions): Promise<DeadLetterView[]> {
  const { kafka, admin, serde, dlqTopic, limit } = options;
  requireDlqName(dlqTopic);
  const states = await admin.partitions(dlqTopic);
  const records = await readRange(kafka, dlqTopic, states, (s) => s.low, limit);
  return Promise.all(
    records.map(async (r) => ({
      partition: r.partition,
      offset: r.offset,
      key: r.key,
      info: parseDeadLetterHeaders(r.headers),
      headers: originalHeaders(r.headers),
      value: r.value,
      decoded: await decodeValue(serde, r.value),
    })),
  );
}

export interface ReplayDlqOptions {
  kafka: KafkaClient;
  admin: DlqAdmin;
  producer: PulseProducer;
  dlqTopic: string;
  /** Most records to replay in this run; default all pending. */
  limit?: number;
  /** Records acknowledged before each commit of the replay position; default 100. */
  chunkSize?: number;
  /** Called after each committed chunk. */
  onProgress?: (replayed: number, total: number) => void;
}

export interface ReplayResult {
  /** Re-produced to their original topic and partition. */
  replayed: number;
  /** Without pulse.dlq.* headers: nothing says where they belong; passed over. */
  skipped: number;
  /** Pending after this run. */
  remaining: number;
}

/**
 * Re-produces each pending dead letter's original key, value and headers to the topic and
 * partition it was read from, then commits the replay group's offset on the dead-letter topic
 * after every acknowledged chunk. A second replay therefore starts after the first one's last
 * commit: a record is sent twice only if the process dies between a chunk's ack and its commit
 * (at most `chunkSize` records, and consumers dedupe events by id). Do not run two replays of the
 * same topic at once.
 */
export async function replayDlq(options: ReplayDlqOptions): Promise<ReplayResult> {
  const { kafka, admin, producer, dlqTopic, chunkSize = 100 } = options;
  requireDlqName(dlqTopic);
  const states = await admin.partitions(dlqTopic);
  const pending = pendingRanges(states);
  const total = pending.reduce((n, r) => n + r.count, 0);
  const starts = new Map(pending.map((r) => [r.partition, r.from]));
  const records = await readRange(
    kafka,
    dlqTopic,
    states,
    (s) => starts.get(s.partition) ?? s.high,
    options.limit ?? total,
  );
  const result: ReplayResult = { replayed: 0, skipped: 0, remaining: total };
  for (let i = 0; i < records.length; i += chunkSize) {
    const chunk = records.slice(i, i + chunkSize);
    await Promise.all(chunk.map((r) => replayOne(producer, dlqTopic, r, result)));
    const next = new Map<number, string>();
    for (const r of chunk) next.set(r.partition, nextOffset(r.offset));
    await admin.commitReplayed(
      dlqTopic,
      [...next].map(([partition, offset]) => ({ partition, offset })),
    );
    result.remaining -= chunk.length;
    options.onProgress?.(result.replayed + result.skipped, records.length);
  }
  return result;
}

async function replayOne(
  producer: PulseProducer,
  dlqTopic: string,
  record: RawConsumedRecord,
  result: ReplayResult,
): Promise<void> {
  const info = parseDeadLetterHeaders(record.headers);
  if (!info) {
    result.skipped += 1;
    return;
  }
  await producer.sendRaw(info.topic, {
    key: record.key,
    value: record.value,
    partition: info.partition,
    headers: {
      ...originalHeaders(record.headers),
      [REPLAYED_FROM_HEADER]: `${dlqTopic}/${record.partition}/${record.offset}`,
    },
  });
  result.replayed += 1;
}
