import { DAY_MS } from './fold-options';
import type { Op } from './ops';

/**
 * Per-order records in a customer's `ord` hash (written by scripts/orders.lua):
 * `o:<id>` = `status|cents|at|discounted|items|currency|amount` (status `o` counted, `c`
 * cancelled, `x` a cancellation seen before the order), `r:<id>␟<refund key>` = cents of one
 * refund, `t:<id>` = the order's refunds in total (applied up to the order's amount),
 * `u:<id>` = `at|cents|currency|amount` of the latest Order Updated (its amount replaces the
 * completion's; kept, and applied on arrival, for an order not seen yet).
 */
export interface OrderRecord {
  status: 'o' | 'c' | 'x';
  /** Amount in base-currency cents (what spend and lifetime value count). */
  cents: number;
  /** Event time of the completion (of the cancellation for `x`). */
  at: number;
  discounted: boolean;
  items: number;
  /** The order's own currency and amount, as sent. */
  currency: string;
  amount: number;
}

/** Between an order id and a refund key in `r:` fields (scripts/orders.lua SEP). */
export const REFUND_SEP = '\u001f';

/** The record data an `orderComplete` op carries (the script adds the status). */
export function orderRecordData(r: Omit<OrderRecord, 'status'>): string {
  return [r.cents, r.at, r.discounted ? 1 : 0, r.items, r.currency, r.amount].join('|');
}

/** The latest amount update of an order (`u:<id>`). */
export interface OrderUpdate {
  /** Event time of the update (the latest wins). */
  at: number;
  cents: number;
  currency: string;
  amount: number;
}

/** The record data an `orderUpdate` op carries. */
export function orderUpdateData(u: OrderUpdate): string {
  return [u.at, u.cents, u.currency, u.amount].join('|');
}

export function parseOrderUpdate(text: string): OrderUpdate | undefined {
  const [at, cents, currency, amount] = text.split('|');
  if (at === undefined || cents === undefined) return undefined;
  return { at: Number(at), cents: Number(cents), currency: currency ?? '', amount: Number(amount) };
}

export function parseOrderRecord(text: string): OrderRecord | undefined {
  const [status, cents, at, disc, items, currency, amount] = text.split('|');
  if (status !== 'o' && status !== 'c' && status !== 'x') return undefined;
  return {
    status,
    cents: Number(cents),
    at: Number(at),
    discounted: disc === '1',
    items: Number(items),
    currency: currency ?? '',
    amount: Number(amount),
  };
}

const incr = (field: string, by: number): Op[] =>
  by === 0 ? [] : [{ op: 'incr', key: 'p', field, by }];

/**
 * Ops that fold a merged-away customer's order records into the survivor. The loser's counters
 * were added whole (merge-ops.ts), so its orders' shares are taken back out and its records are
 * replayed through the same transitions as events: an order both customers counted then counts
 * once, and a refund, cancellation or update one of them kept pending applies to the other's
 * order.
 * `daysCut` is the loser's day-bucket trim point (its older buckets were not added).
 */
export function orderMergeOps(ord: Readonly<Record<string, string>>, daysCut?: number): Op[] {
  const undo: Op[] = [];
  const replay: Op[] = [];
  for (const [field, value] of Object.entries(ord)) {
    if (field.startsWith('u:')) {
      replay.push({ op: 'orderUpdate', orderId: field.slice(2), record: value });
      continue;
    }
    if (field.startsWith('r:')) {
      const sep = field.indexOf(REFUND_SEP);
      if (sep < 0) continue;
      undo.push(...incr('refunds', -1));
      const orderId = field.slice(2, sep);
      const refundKey = field.slice(sep + 1);
      replay.push({ op: 'orderRefund', orderId, refundKey, cents: Number(value), merge: true });
      continue;
    }
    if (!field.startsWith('o:')) continue;
    const orderId = field.slice(2);
    const r = parseOrderRecord(value);
    if (!r) continue;
    const data = orderRecordData(r);
    if (r.status !== 'o') {
      undo.push(...incr('cancelledOrders', -1));
      replay.push({ op: 'orderCancel', orderId, at: r.at, merge: true });
      if (r.status === 'c')
        replay.push({ op: 'orderComplete', orderId, record: data, merge: true });
      continue;
    }
    // what the loser counted: the latest update's amount, else the completion's
    const update = ord[`u:${orderId}`];
    const cents = (update === undefined ? undefined : parseOrderUpdate(update)?.cents) ?? r.cents;
    const refunded = Math.min(Number(ord[`t:${orderId}`] ?? 0), cents);
    undo.push(
      ...incr('orders', -1),
      ...incr('spentCents', -cents),
      ...incr('refundedCents', -refunded),
      ...incr('discountedOrders', r.discounted ? -1 : 0),
      ...incr('itemsBought', -r.items),
    );
    const day = Math.floor(r.at / DAY_MS);
    if (daysCut === undefined || day >= daysCut) {
      undo.push(
        { op: 'dayIncr', metric: 'o', day, by: -1 },
        { op: 'dayIncr', metric: 's', day, by: -cents },
      );
    }
    replay.push({ op: 'orderComplete', orderId, record: data, merge: true });
  }
  return [...undo, ...replay];
}
