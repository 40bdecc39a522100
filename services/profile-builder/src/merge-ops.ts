import type { StateDump } from './dump';
import { DAY_METRICS, DEFAULT_SESSION_GAP_MS, utcDay } from './fold-options';
import { AGGREGATE_FIELD, AGGREGATE_TOKEN, type Op } from './ops';
import { orderMergeOps } from './order-records';

// Not state to add up: versions, acks, the merge fence and its tombstone bookkeeping.
const META = new Set(['!v', '!acked', '!into', '!tv', '!tacked', AGGREGATE_TOKEN]);

function mainFieldOps(p: Record<string, string>): Op[] {
  const ops: Op[] = [];
  for (const [field, value] of Object.entries(p)) {
    // Rule aggregates merge by their own rule (rule-aggregates.ts), with a fresh read.
    if (META.has(field) || field.startsWith('@') || field.startsWith(AGGREGATE_FIELD)) continue;
    if (field === 'knownSince') {
      // first: on a fresh survivor it must not take the survivor's firstSeenAt (apply-ops 'ks')
      ops.unshift({ op: 'knownSince', at: Number(value) });
      continue;
    }
    const at = p[`@${field}`];
    if (at !== undefined) ops.push({ op: 'lww', key: 'p', field, value, at: Number(at) });
    else if (field.startsWith('first'))
      ops.push({ op: 'min', key: 'p', field, value: Number(value) });
    else if (field.startsWith('last') || field.endsWith('At') || field.startsWith('evAt:')) {
      ops.push({ op: 'max', key: 'p', field, value: Number(value) });
    } else ops.push({ op: 'incr', key: 'p', field, by: Number(value) });
  }
  return ops;
}

function dayOps(days: Record<string, string>): Op[] {
  const ops: Op[] = [];
  for (const [field, value] of Object.entries(days)) {
    const match = /^([a-z]+):(-?\d+)$/.exec(field);
    if (match?.[1] && match[2]) {
      ops.push({ op: 'dayIncr', metric: match[1], day: Number(match[2]), by: Number(value) });
    }
  }
  return ops;
}

function cartOps(cart: Record<string, string>): Op[] {
  const ops: Op[] = [];
  const cleared = cart['!cleared'];
  for (const [field, value] of Object.entries(cart)) {
    if (!field.startsWith('q:')) continue;
    const pid = field.slice(2);
    const at = Number(cart[`t:${pid}`] ?? 0);
    ops.push({ op: 'cartAdd', productId: pid, qty: Number(value), at });
    const line = cart[`d:${pid}`];
    if (line !== undefined)
      ops.push({ op: 'lww', key: 'cart', field: `d:${pid}`, value: line, at });
  }
  if (cleared !== undefined) ops.push({ op: 'cartClear', at: Number(cleared) });
  return ops;
}

function lwwHashOps(key: 'wish', hash: Record<string, string>): Op[] {
  return Object.entries(hash)
    .filter(([field]) => !field.startsWith('@'))
    .map(([field, value]) => ({
      op: 'lww',
      key,
      field,
      value,
      at: Number(hash[`@${field}`] ?? 0),
    }));
}

function categoryOps(cats: Record<string, string>): Op[] {
  return Object.entries(cats).map(([field, value]): Op => {
    if (field.startsWith('l:')) return { op: 'max', key: 'cats', field, value: Number(value) };
    if (field.startsWith('a:')) return { op: 'incrFloat', key: 'cats', field, by: Number(value) };
    return { op: 'incr', key: 'cats', field, by: Number(value) };
  });
}

/**
 * The loser's sessions replayed into the survivor (joining the survivor's where they come within
 * the gap), after taking their shares back out of the counters added whole.
 */
function sessionMergeOps(loser: StateDump, gapMs: number, daysCut: number | undefined): Op[] {
  const undo: Op[] = [];
  const replay: Op[] = [];
  for (const [startText, end] of Object.entries(loser.sessions)) {
    const start = Number(startText);
    const duration = end - start;
    undo.push(
      { op: 'incr', key: 'p', field: 'sessions', by: -1 },
      { op: 'incr', key: 'p', field: 'sessionMs', by: -duration },
    );
    const day = utcDay(start);
    if (daysCut === undefined || day >= daysCut)
      undo.push(
        { op: 'dayIncr', metric: 'ss', day, by: -1 },
        { op: 'dayIncr', metric: 'sm', day, by: -duration },
      );
    replay.push({ op: 'session', start, end, gapMs });
  }
  return [...undo, ...replay];
}

/**
 * The ops that fold a merged-away customer's whole state (a full dump) into the survivor:
 * counters add, first/last times take min/max, traits keep the later write by event time, sets
 * unite, order records and sessions replay (an order both counted counts once, sessions within
 * the gap of each other join) — so nothing is lost, and with
 * the idempotency marks moved too, nothing counts twice.
 */
export function mergeOps(loser: StateDump, sessionGapMs = DEFAULT_SESSION_GAP_MS): Op[] {
  const ops: Op[] = [
    ...mainFieldOps(loser.p),
    ...dayOps(loser.days),
    ...cartOps(loser.cart),
    ...lwwHashOps('wish', loser.wish),
    ...categoryOps(loser.cats),
  ];
  for (const [member, score] of Object.entries(loser.recent))
    ops.push({ op: 'zmax', key: 'recent', member, score });
  for (const member of loser.bought) ops.push({ op: 'sadd', key: 'bought', member });
  for (const member of loser.ids) ops.push({ op: 'sadd', key: 'ids', member });
  for (const member of loser.opened.members ?? []) ops.push({ op: 'sadd', key: 'eopen', member });
  for (const member of loser.clicked.members ?? []) ops.push({ op: 'sadd', key: 'eclick', member });
  for (const [member, score] of Object.entries(loser.marks ?? {}))
    ops.push({ op: 'zmax', key: 'marks', member, score });
  if (loser.recentCut !== undefined)
    ops.push({ op: 'ztrim', key: 'recent', below: loser.recentCut });
  const cut = loser.days['!cut'];
  const daysCut = cut === undefined ? undefined : Number(cut);
  ops.push(...orderMergeOps(loser.orders ?? {}, daysCut));
  ops.push(...sessionMergeOps(loser, sessionGapMs, daysCut));
  if (daysCut !== undefined) ops.push({ op: 'dayTrim', metrics: DAY_METRICS, below: daysCut });
  return ops;
}
