import { PulseError } from '@pulse/core';
import type { IHeaders } from 'kafkajs';

/** Headers a dead letter carries besides the original record's own. */
export const DLQ_HEADERS = {
  /** Human-readable reason: the error's message. */
  reason: 'pulse.dlq.reason',
  /** Stable error code (`BAD_MAGIC_BYTE`, `UNKNOWN_SCHEMA_ID`, a handler's PulseError code...). */
  code: 'pulse.dlq.code',
  /** Topic the record was read from. */
  topic: 'pulse.dlq.topic',
  /** Partition it was read from (decimal). */
  partition: 'pulse.dlq.partition',
  /** Its offset there (decimal). */
  offset: 'pulse.dlq.offset',
  /** Consumer group that gave up on it. */
  group: 'pulse.dlq.group',
  /** When it was dead-lettered (ISO-8601, UTC). */
  at: 'pulse.dlq.at',
} as const;

/** Code used when a handler throws a non-retriable error that carries no string `code`. */
export const HANDLER_ERROR_CODE = 'HANDLER_ERROR';

/** Longest reason kept in a header: enough to read, bounded so a huge message cannot bloat it. */
const MAX_REASON_LENGTH = 1_000;

/** What the DLQ headers say about one record. */
export interface DeadLetterInfo {
  reason: string;
  code: string;
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** The stable code for `err`: a PulseError's code, another error's string `code`, or HANDLER_ERROR. */
export function errorCodeOf(err: unknown): string {
  if (err instanceof PulseError) return err.code;
  if (err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return HANDLER_ERROR_CODE;
}

/** The message of `err`, bounded in length. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}

/**
 * Headers for a dead letter: the original headers, then ours (ours win: a relayed dead letter
 * describes its latest failure).
 */
export function deadLetterHeaders(info: DeadLetterInfo, original: IHeaders = {}): IHeaders {
  return {
    ...original,
    [DLQ_HEADERS.reason]: info.reason,
    [DLQ_HEADERS.code]: info.code,
    [DLQ_HEADERS.topic]: info.topic,
    [DLQ_HEADERS.partition]: String(info.partition),
    [DLQ_HEADERS.offset]: info.offset,
    [DLQ_HEADERS.group]: info.groupId,
    [DLQ_HEADERS.at]: new Date(info.at).toISOString(),
  };
}

function text(value: IHeaders[string]): string | undefined {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : last.toString();
}

/** Reads the DLQ headers back (for the `pulse dlq` tooling); undefined if any is missing. */
export function parseDeadLetterHeaders(headers: IHeaders): DeadLetterInfo | undefined {
  const get = (name: string): string | undefined => text(headers[name]);
  const [reason, code, topic, partition, offset, groupId, at] = Object.values(DLQ_HEADERS).map(get);
  if (
    reason === undefined ||
    code === undefined ||
    topic === undefined ||
    partition === undefined ||
    offset === undefined ||
    groupId === undefined ||
    at === undefined
  ) {
    return undefined;
  }
  return { reason, code, topic, partition: Number(partition), offset, groupId, at: Date.parse(at) };
}

/** Headers as text, the last value winning when a header repeats. */
export function headersToText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
    const t = text(value);
    if (t !== undefined) out[name] = t;
  }
  return out;
}
