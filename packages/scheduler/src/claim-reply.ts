import { unexpectedReply } from './errors';

/** A timer a worker claimed: hand it to the handler, then ack with `token`. */
export interface ClaimedTimer {
  id: string;
  /** Due time, ms since the epoch. */
  dueAt: number;
  payload: string;
  /** 1 on the first claim; more after lease expiries. */
  attempt: number;
  /** The claim's token; ack presents it. */
  token: string;
  shard: number;
}

/** What one claim on one shard returned. */
export interface ClaimReply {
  timers: ClaimedTimer[];
  /** Earliest due time still waiting in the shard, if any. */
  nextDueAt: number | undefined;
  /** Earliest lease expiry in the shard, if any. */
  nextLeaseExpiry: number | undefined;
}

function score(value: unknown): number | undefined {
  if (value === null || value === false || value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses claim.lua's `{ {id, due, payload, attempt, ...}, next_due, next_lease }`. */
export function parseClaimReply(reply: unknown, shard: number, token: string): ClaimReply {
  if (!Array.isArray(reply) || !Array.isArray(reply[0])) throw unexpectedReply('claim', reply);
  const flat: unknown[] = reply[0];
  if (flat.length % 4 !== 0) throw unexpectedReply('claim', reply);
  const timers: ClaimedTimer[] = [];
  for (let i = 0; i < flat.length; i += 4) {
    timers.push({
      id: String(flat[i]),
      dueAt: Number(flat[i + 1]),
      payload: String(flat[i + 2]),
      attempt: Number(flat[i + 3]),
      token,
      shard,
    });
  }
  return { timers, nextDueAt: score(reply[1]), nextLeaseExpiry: score(reply[2]) };
}
