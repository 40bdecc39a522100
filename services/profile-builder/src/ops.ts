import { KEY_INDEX, type CustomerKey } from './keys';

/**
 * One change to a customer's Redis state. The fold turns an event into a list of these; the
 * `apply-ops.lua` script applies a list atomically with the event's idempotency mark. Every op is
 * order-independent (sums, min/max, last-write-wins by event time, set unions), so events folded
 * out of order, or merged in from another profile, give the same state.
 */
export type Op =
  /** HINCRBY: integer counters (money is in minor units, so sums stay exact). */
  | { op: 'incr'; key: CustomerKey; field: string; by: number }
  /** HINCRBYFLOAT: decayed affinity sums. */
  | { op: 'incrFloat'; key: CustomerKey; field: string; by: number }
  | { op: 'max'; key: CustomerKey; field: string; value: number }
  | { op: 'min'; key: CustomerKey; field: string; value: number }
  /** Last write by event time wins (ties: the later write). */
  | { op: 'lww'; key: CustomerKey; field: string; value: string; at: number }
  /** ZADD GT: keep the greatest score per member. */
  | { op: 'zmax'; key: CustomerKey; member: string; score: number }
  /** ZREMRANGEBYSCORE below `below` (exclusive). */
  | { op: 'ztrim'; key: CustomerKey; below: number }
  | { op: 'sadd'; key: CustomerKey; member: string }
  /** SADD; when the member was already there, the rest of the ops are skipped. */
  | { op: 'guard'; key: CustomerKey; member: string }
  /**
   * Per-order transitions on the `ord` hash (see order-records.ts and scripts/orders.lua). An
   * order id counts once whichever event brings it; refunds and cancellations of an order not
   * seen yet are kept and applied when it arrives. `merge` ops replay a merged-away customer's
   * records and never skip the rest; otherwise a transition already made skips the rest.
   */
  | { op: 'orderComplete'; orderId: string; record: string; merge?: boolean }
  | { op: 'orderRefund'; orderId: string; refundKey: string; cents: number; merge?: boolean }
  | { op: 'orderCancel'; orderId: string; at: number; merge?: boolean }
  /**
   * The latest amount of an order (`record` = `at|cents|currency|amount`, see
   * order-records.ts): the newest by event time wins; never skips the rest of its event.
   */
  | { op: 'orderUpdate'; orderId: string; record: string }
  /**
   * Activity from `start` to `end` (event time): joins every session it comes within `gapMs`
   * of, or starts one (scripts/sessions.lua). Merges replay a loser's sessions through it.
   */
  | { op: 'session'; start: number; end: number; gapMs: number }
  /** `knownSince`: the earliest receivedAt folded (a profile from before the field starts at its firstSeenAt). */
  | { op: 'knownSince'; at: number }
  /** Adds to a day bucket `<metric>:<day>` unless the day was already trimmed. */
  | { op: 'dayIncr'; metric: string; day: number; by: number }
  /** Drops day buckets of `metrics` older than `below`. */
  | { op: 'dayTrim'; metrics: readonly string[]; below: number }
  /** Changes a cart line's quantity unless the cart was cleared after `at`. */
  | { op: 'cartAdd'; productId: string; qty: number; at: number }
  /** Empties the cart of lines last changed at or before `at`. */
  | { op: 'cartClear'; at: number }
  /**
   * Must be the first op: the rule aggregates were folded from the state whose `!gv` token is
   * `token` ('' = none); otherwise nothing is applied and the caller refolds (see apply-ops.lua).
   */
  | { op: 'aggCheck'; token: string }
  /** Sets one rule aggregate (`g.<id>`, the JSON text of its AggregateState). */
  | { op: 'aggSet'; id: string; value: string };

/** Prefix of the `p` hash fields holding rule aggregates (`g.<spec id>`). */
export const AGGREGATE_FIELD = 'g.';
/** The `p` hash field holding the mark that last wrote the rule aggregates. */
export const AGGREGATE_TOKEN = '!gv';

/** ARGV entries per op: code, key index, field/member, value, extra. */
export const OP_WIDTH = 5;

/** Flattens ops into the 5-tuples `apply-ops.lua` reads. */
export function encodeOps(ops: readonly Op[]): string[] {
  const out: string[] = [];
  const push = (
    code: string,
    key: CustomerKey,
    field: string,
    a: string | number,
    b: string | number = '',
  ) => out.push(code, String(KEY_INDEX[key]), field, String(a), String(b));
  for (const op of ops) {
    switch (op.op) {
      case 'incr':
        push('i', op.key, op.field, Math.trunc(op.by));
        break;
      case 'incrFloat':
        push('f', op.key, op.field, op.by);
        break;
      case 'max':
        push('x', op.key, op.field, op.value);
        break;
      case 'min':
        push('n', op.key, op.field, op.value);
        break;
      case 'lww':
        push('l', op.key, op.field, op.value, op.at);
        break;
      case 'zmax':
        push('z', op.key, op.member, op.score);
        break;
      case 'ztrim':
        push('zt', op.key, '', op.below);
        break;
      case 'sadd':
        push('a', op.key, op.member, '');
        break;
      case 'guard':
        push('g', op.key, op.member, '');
        break;
      case 'orderComplete':
        push(op.merge ? 'mc' : 'oc', 'ord', op.orderId, op.record);
        break;
      case 'orderRefund':
        push(op.merge ? 'mr' : 'or', 'ord', op.orderId, op.refundKey, Math.trunc(op.cents));
        break;
      case 'orderCancel':
        push(op.merge ? 'mx' : 'ox', 'ord', op.orderId, op.at);
        break;
      case 'orderUpdate':
        push('ou', 'ord', op.orderId, op.record);
        break;
      case 'session':
        push('se', 'sess', String(Math.trunc(op.gapMs)), Math.trunc(op.start), Math.trunc(op.end));
        break;
      case 'knownSince':
        push('ks', 'p', 'knownSince', Math.trunc(op.at));
        break;
      case 'dayIncr':
        push('di', 'days', `${op.metric}:${op.day}`, Math.trunc(op.by), op.day);
        break;
      case 'dayTrim':
        push('dt', 'days', op.metrics.join(','), op.below);
        break;
      case 'cartAdd':
        push('ca', 'cart', op.productId, Math.trunc(op.qty), op.at);
        break;
      case 'cartClear':
        push('cc', 'cart', '', op.at);
        break;
      case 'aggCheck':
        push('gc', 'p', '', op.token);
        break;
      case 'aggSet':
        push('gs', 'p', `${AGGREGATE_FIELD}${op.id}`, op.value);
        break;
    }
  }
  return out;
}
