import type { OrderPayload, PulseEvent } from '@pulse/contracts';
import { categoryAffinity, productKey, type Delta } from './delta';
import { AFFINITY_WEIGHTS, type FoldOptions } from './fold-options';
import { toBaseCents } from './money';
import { orderRecordData, orderUpdateData } from './order-records';
import type { EventProblem } from './validate-event';

const PATH = 'aggregates.purchases';

function orderAmount(order: OrderPayload): number {
  if (order.total !== null) return order.total;
  if (order.revenue !== null) return order.revenue;
  if (order.subtotal !== null) return order.subtotal;
  return order.products.reduce((sum, l) => sum + (l.price ?? 0) * (l.quantity ?? 1), 0);
}

/** The refund's own id when the source sends one (`extra.refund_id`), else the event's. */
function refundKey(event: PulseEvent, order: OrderPayload): string {
  if (order.extra) {
    try {
      const extra: unknown = JSON.parse(order.extra);
      if (extra !== null && typeof extra === 'object' && 'refund_id' in extra) {
        const id = (extra as { refund_id: unknown }).refund_id; // checked just above
        if (typeof id === 'string' || typeof id === 'number') return String(id);
      }
    } catch {
      // not JSON: no refund id
    }
  }
  return event.id;
}

/**
 * Order Completed: the order id (else the event id) counts once, whichever event (browser,
 * webhook, import) brings it first; the counting itself (orders, spend, day buckets, items,
 * discount share, pending refunds) is the `orderComplete` transition of its per-order record.
 * Later copies only enrich: their products join the products bought.
 */
export function orderCompleted(
  d: Delta,
  event: PulseEvent,
  order: OrderPayload,
  o: FoldOptions,
): EventProblem[] {
  const amount = orderAmount(order);
  const money = toBaseCents(amount, order.currency, o.money, d.at);
  if (!money.ok) return [{ path: 'payload.currency', message: money.reason }];
  const orderId = order.order_id ?? event.id;
  const record = orderRecordData({
    cents: money.cents,
    at: d.at,
    discounted: (order.discount ?? 0) > 0 || order.coupon !== null,
    items: order.products.reduce((sum, l) => sum + (l.quantity ?? 1), 0),
    currency: (order.currency ?? o.money.baseCurrency).toUpperCase(),
    amount,
  });
  d.ops.push({ op: 'orderComplete', orderId, record });
  d.add(
    PATH,
    { op: 'min', key: 'p', field: 'firstPurchaseAt', value: d.at },
    { op: 'max', key: 'p', field: 'lastPurchaseAt', value: d.at },
  );
  for (const line of order.products) {
    const pid = productKey(line);
    if (pid) d.first.push({ op: 'sadd', key: 'bought', member: pid });
    if (line.category) {
      d.add('aggregates.categories', {
        op: 'incr',
        key: 'cats',
        field: `b:${line.category}`,
        by: line.quantity ?? 1,
      });
      categoryAffinity(d, line.category, AFFINITY_WEIGHTS.purchase, o);
    }
  }
  d.add('aggregates.cart', { op: 'cartClear', at: d.at });
  return [];
}

/**
 * Order Refunded: the refunded amount comes off lifetime value, once per refund (its
 * `extra.refund_id`, else its event id), never more than the order's amount; a refund of an
 * order not seen yet waits in the order's record. Order Cancelled: the order stops counting
 * (orders, spend, its day's buckets, items, discount share), once; a cancellation seen first
 * makes the order never count.
 */
export function orderReversed(
  d: Delta,
  event: PulseEvent,
  order: OrderPayload,
  o: FoldOptions,
): EventProblem[] {
  const orderId = order.order_id ?? event.id;
  d.changed.add(PATH);
  if (event.type === 'Order Cancelled') {
    d.ops.push({ op: 'orderCancel', orderId, at: d.at });
    return [];
  }
  const money = toBaseCents(orderAmount(order), order.currency, o.money, d.at);
  if (!money.ok) return [{ path: 'payload.currency', message: money.reason }];
  d.ops.push({
    op: 'orderRefund',
    orderId,
    refundKey: refundKey(event, order),
    cents: money.cents,
  });
  return [];
}

/**
 * Order Updated with a new total (`total`, else `revenue`, else `subtotal`): the order's amount
 * becomes it — the latest update by event time wins, whatever the arrival order — and spend,
 * lifetime value and the order day's spend move by the difference (`orderUpdate` in
 * scripts/orders.lua; refunds already applied stay, capped at the new amount). An update of an
 * order not seen yet is kept and applied when the order arrives. Without a total it changes no
 * amount, nor does one without an order id (both are still counted as events). Converted at the update's own event time.
 */
export function orderUpdated(d: Delta, order: OrderPayload, o: FoldOptions): EventProblem[] {
  const amount = order.total ?? order.revenue ?? order.subtotal;
  if (amount === null || order.order_id === null) return [];
  const money = toBaseCents(amount, order.currency, o.money, d.at);
  if (!money.ok) return [{ path: 'payload.currency', message: money.reason }];
  const currency = (order.currency ?? o.money.baseCurrency).toUpperCase();
  d.add(PATH, {
    op: 'orderUpdate',
    orderId: order.order_id,
    record: orderUpdateData({ at: d.at, cents: money.cents, currency, amount }),
  });
  return [];
}
