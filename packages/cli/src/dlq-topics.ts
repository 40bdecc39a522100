/** Pure helpers of `pulse dlq`: topic names, replay positions, headers. No I/O. */

/** Separator of dead-letter topic names: `<topic>.dlq.<group>` (see @pulse/kafka's DLQ). */
export const DLQ_INFIX = '.dlq.';

/** Header prefix of the dead-letter metadata (`pulse.dlq.reason`, ...). */
export const DLQ_HEADER_PREFIX = 'pulse.dlq.';

/** Header a replayed record carries: the dead letter it came from, `<dlq topic>/<partition>/<offset>`. */
export const REPLAYED_FROM_HEADER = 'pulse.replayed-from';

/** What a dead-letter topic's name says. */
export interface DlqTopicName {
  dlqTopic: string;
  /** The topic the records were read from. */
  topic: string;
  /** The consumer group that gave up on them. */
  group: string;
}

/** Splits `<topic>.dlq.<group>`; undefined for any other topic name. */
export function parseDlqTopicName(name: string): DlqTopicName | undefined {
  const at = name.indexOf(DLQ_INFIX);
  if (at <= 0) return undefined;
  const topic = name.slice(0, at);
  const group = name.slice(at + DLQ_INFIX.length);
  if (group === '') return undefined;
  return { dlqTopic: name, topic, group };
}

/**
 * The consumer group whose committed offsets on a dead-letter topic record how far it was
 * replayed. It never joins (no member ever consumes): `pulse dlq replay` commits with the admin
 * API after each acknowledged chunk, so a second replay starts after what the first one sent.
 */
export function replayGroupId(dlqTopic: string): string {
  return `pulse-dlq-replay.${dlqTopic}`;
}

/** One partition of a dead-letter topic: what it holds and how far it was replayed. */
export interface PartitionState {
  partition: number;
  /** First offset still on the topic (retention may have removed older ones). */
  low: string;
  /** Next offset to be written. */
  high: string;
  /** The replay group's committed offset, or `-1` when nothing was replayed yet. */
  committed: string;
}

/** A partition's records still to replay: offsets `[from, to)`. */
export interface PendingRange {
  partition: number;
  from: string;
  to: string;
  count: number;
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** Records on the partition: `high - low`. */
export function recordCount(state: PartitionState): number {
  return Number(BigInt(state.high) - BigInt(state.low));
}

/** What has not been replayed yet, per partition (empty ranges left out). */
export function pendingRanges(states: readonly PartitionState[]): PendingRange[] {
  const out: PendingRange[] = [];
  for (const state of states) {
    const low = BigInt(state.low);
    const high = BigInt(state.high);
    const committed = BigInt(state.committed);
    const from = committed < 0n ? low : max(committed, low);
    if (from >= high) continue;
    out.push({
      partition: state.partition,
      from: from.toString(),
      to: high.toString(),
      count: Number(high - from),
    });
  }
  return out;
}

/** The record's own headers, without the dead-letter metadata (what the producer first sent). */
export function originalHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(DLQ_HEADER_PREFIX)) out[name] = value;
  }
  return out;
}

/** The offset to commit after `offset` was replayed: the next one. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
