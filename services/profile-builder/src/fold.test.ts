import { describe, expect, it } from '@jest/globals';
import { foldEvent } from './fold';
import { DAY_MS, utcDay, type FoldOptions } from './fold-options';
import type { Op } from './ops';
import {
  customEvent,
  emailEvent,
  identifyEvent,
  line,
  orderEvent,
  pageEvent,
  productEvent,
} from './test-events';

const options: FoldOptions = {
  money: { baseCurrency: 'USD', rates: { EUR: 1.1 } },
  affinityHalfLifeMs: 30 * DAY_MS,
  bucketDays: 200,
};
const at = Date.UTC(2025, 2, 10, 12);

function opsOf(result: ReturnType<typeof foldEvent>): Op[] {
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.ops;
}

describe('foldEvent', () => {
  it('turns an order into its per-order record transition, first after the enrichments', () => {
    const ops = opsOf(
      foldEvent(
        orderEvent({ order_id: 'o1', total: 118.24, discount: 10 }, { occurredAt: at }),
        options,
      ),
    );
    // products bought are a set union (a later copy may add to it), then the order id counts once
    expect(ops.slice(0, 2)).toEqual([
      { op: 'sadd', key: 'bought', member: 'p-1' },
      { op: 'orderComplete', orderId: 'o1', record: `11824|${at}|1|1|USD|118.24` },
    ]);
    expect(ops).toEqual(
      expect.arrayContaining([
        { op: 'min', key: 'p', field: 'firstPurchaseAt', value: at },
        { op: 'max', key: 'p', field: 'lastPurchaseAt', value: at },
        { op: 'incr', key: 'cats', field: 'b:Shoes', by: 1 },
        { op: 'cartClear', at },
      ]),
    );
    // the counters are the record's transition (scripts/orders.lua), not separate ops
    expect(ops.filter((op) => op.op === 'incr' && op.key === 'p' && op.field === 'orders')).toEqual(
      [],
    );
    expect(ops[ops.length - 1]).toEqual({
      op: 'dayTrim',
      metrics: ['o', 's', 'ed', 'eo', 'ec', 'ss', 'sm'],
      below: utcDay(at) - 200,
    });
  });

  it('keys a refund by its refund id when the source sends one, else by its event id', () => {
    const refund = (extra: string | null, id: string) =>
      opsOf(
        foldEvent(
          orderEvent({ order_id: 'o9', total: 5, extra }, { type: 'Order Refunded', id }),
          options,
        ),
      )[0];
    expect(refund('{"refund_id":77}', 'e1')).toEqual({
      op: 'orderRefund',
      orderId: 'o9',
      refundKey: '77',
      cents: 500,
    });
    expect(refund(null, 'e2')).toMatchObject({ refundKey: 'e2' });
    const cancel = opsOf(
      foldEvent(
        orderEvent({ order_id: 'o9', total: 5 }, { type: 'Order Cancelled', occurredAt: at }),
        options,
      ),
    );
    expect(cancel[0]).toEqual({ op: 'orderCancel', orderId: 'o9', at });
  });

  it('converts other currencies into base-currency cents', () => {
    const ops = opsOf(
      foldEvent(orderEvent({ order_id: 'o2', total: 10, currency: 'EUR' }), options),
    );
    expect(ops).toContainEqual(
      expect.objectContaining({ record: expect.stringMatching(/^1100\|/) }),
    );
  });

  it('refuses negative quantities, unknown currencies and currencies without a rate', () => {
    const negative = foldEvent(productEvent('Product Added', line({ quantity: -2 })), options);
    expect(negative).toEqual({
      ok: false,
      problems: [{ path: 'payload.product.quantity', message: 'negative quantity -2' }],
    });
    const unknown = foldEvent(orderEvent({ order_id: 'o', total: 5, currency: 'XYZQ' }), options);
    expect(unknown.ok).toBe(false);
    expect(JSON.stringify(unknown)).toContain('unknown currency');
    const noRate = foldEvent(orderEvent({ order_id: 'o', total: 5, currency: 'JPY' }), options);
    expect(JSON.stringify(noRate)).toContain('no exchange rate for JPY');
  });

  it('folds browsing into views, category counts, recent products trimmed to 24 h, and affinity', () => {
    const ops = opsOf(
      foldEvent(productEvent('Product Viewed', line(), { occurredAt: at }), options),
    );
    expect(ops).toEqual(
      expect.arrayContaining([
        { op: 'incr', key: 'p', field: 'productViews', by: 1 },
        { op: 'max', key: 'p', field: 'lastVisitAt', value: at },
        { op: 'zmax', key: 'recent', member: 'p-1', score: at },
        { op: 'ztrim', key: 'recent', below: at - DAY_MS },
        { op: 'incr', key: 'cats', field: 'v:Shoes', by: 1 },
        { op: 'max', key: 'cats', field: 'l:Shoes', value: at },
      ]),
    );
    const page = opsOf(foldEvent(pageEvent('Blog', { occurredAt: at }), options));
    expect(page).toContainEqual({ op: 'incr', key: 'p', field: 'timeOnPageMs', by: 1200 });
  });

  it('keeps cart lines with their event time and wishlist state as last write wins', () => {
    const added = opsOf(
      foldEvent(productEvent('Product Added', line({ quantity: 2 }), { occurredAt: at }), options),
    );
    expect(added).toContainEqual({ op: 'cartAdd', productId: 'p-1', qty: 2, at });
    const removed = opsOf(
      foldEvent(productEvent('Product Removed', line(), { occurredAt: at }), options),
    );
    expect(removed).toContainEqual({ op: 'cartAdd', productId: 'p-1', qty: -1, at });
    const wish = opsOf(
      foldEvent(productEvent('Product Removed from Wishlist', line(), { occurredAt: at }), options),
    );
    expect(wish).toContainEqual({ op: 'lww', key: 'wish', field: 'q:p-1', value: '0', at });
  });

  it('counts unique human opens per send and keeps machine opens apart', () => {
    const human = opsOf(foldEvent(emailEvent('Email Opened', 's1', { occurredAt: at }), options));
    expect(human).toEqual(
      expect.arrayContaining([
        { op: 'sadd', key: 'eopen', member: 's1' },
        { op: 'incr', key: 'p', field: 'emailOpened', by: 1 },
      ]),
    );
    const machine = opsOf(
      foldEvent(emailEvent('Email Opened', 's1', { occurredAt: at }, true), options),
    );
    expect(machine).toContainEqual({ op: 'incr', key: 'p', field: 'emailMachineOpened', by: 1 });
    expect(machine.some((op) => op.op === 'sadd')).toBe(false);
  });

  it('stores identify traits as JSON, last write by event time, with the email normalized', () => {
    const result = foldEvent(
      identifyEvent(
        { email: ' Ann.Lee+shop@Gmail.com ', birthdate: '1990-05-01' },
        { occurredAt: at },
      ),
      options,
    );
    expect(opsOf(result)).toEqual(
      expect.arrayContaining([
        { op: 'lww', key: 'p', field: 't.email', value: '"annlee@gmail.com"', at },
        { op: 'lww', key: 'p', field: 't.birthdate', value: '"1990-05-01"', at },
      ]),
    );
    expect(result.ok && result.changed).toEqual([
      'email',
      'firstSeenAt',
      'lastSeenAt',
      'traits.birthdate',
      'traits.email',
      'traits.knownSince',
    ]);
  });

  it('turns an Order Updated with a total into the order’s latest amount, at the update’s rate', () => {
    const update = foldEvent(
      orderEvent(
        { order_id: 'o7', total: 20, currency: 'EUR' },
        { type: 'Order Updated', occurredAt: at },
      ),
      options,
    );
    expect(opsOf(update)).toContainEqual({
      op: 'orderUpdate',
      orderId: 'o7',
      record: `${at}|2200|EUR|20`,
    });
    expect(update.ok && update.changed).toContain('aggregates.purchases');
  });

  it('makes sessions of page views (time on page before the view is sent) and shopper events only', () => {
    const gapMs = options.sessionGapMs ?? 30 * 60_000;
    const page = opsOf(foldEvent(pageEvent('Blog', { occurredAt: at }), options));
    expect(page).toContainEqual({ op: 'session', start: at - 1200, end: at, gapMs });
    const viewed = opsOf(
      foldEvent(productEvent('Product Viewed', line(), { occurredAt: at }), options),
    );
    expect(viewed).toContainEqual({ op: 'session', start: at, end: at, gapMs });
    for (const event of [
      emailEvent('Email Opened', 's1', { occurredAt: at }),
      orderEvent({ order_id: 'o3', total: 5 }, { occurredAt: at }),
      identifyEvent({ country: 'FR' }, { occurredAt: at }),
    ])
      expect(opsOf(foldEvent(event, options)).some((op) => op.op === 'session')).toBe(false);
    const custom = foldEvent(customEvent('Quiz Finished', { occurredAt: at }), {
      ...options,
      sessionGapMs: 60_000,
    });
    expect(opsOf(custom)).toContainEqual({ op: 'session', start: at, end: at, gapMs: 60_000 });
  });

  it('lowers knownSince to the receivedAt of every event, whatever its event time', () => {
    const old = orderEvent(
      { order_id: 'o4', total: 5 },
      { occurredAt: at - 700 * DAY_MS, receivedAt: at },
    );
    const result = foldEvent(old, options);
    expect(opsOf(result)).toContainEqual({ op: 'knownSince', at });
    expect(result.ok && result.changed).toContain('traits.knownSince');
  });

  it('counts unknown event names as custom events', () => {
    const result = foldEvent(customEvent('Quiz Finished', { occurredAt: at }), options);
    expect(opsOf(result)).toContainEqual({
      op: 'incr',
      key: 'p',
      field: 'ev:Quiz Finished',
      by: 1,
    });
    expect(result.ok && result.changed).toContain('aggregates.custom');
  });
});
