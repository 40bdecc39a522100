import { describe, expect, it } from '@jest/globals';
import { attributeOrders } from './attribution';
import { campaignResults } from './campaign-results';
import type { CampaignFacts, CampaignSend } from './from-events';

const H = 3_600_000;
const D = 24 * H;
const send = (
  emailId: string,
  customerId: string,
  campaignId: string,
  at: number,
  arm = 'default',
): CampaignSend => ({
  emailId,
  customerId,
  campaignId,
  arm,
  holdout: arm === 'holdout',
  at,
});

describe('attributeOrders', () => {
  it('prefers a clicked send over an opened one over a later plain send', () => {
    const facts: CampaignFacts = {
      sends: [send('s1', 'c', 'a', 0), send('s2', 'c', 'b', 1 * D), send('s3', 'c', 'c', 2 * D)],
      engagement: [
        { customerId: 'c', sendId: 's2', campaignId: 'b', kind: 'opened', at: 1 * D + H },
        { customerId: 'c', sendId: 's1', campaignId: 'a', kind: 'clicked', at: 2 * H },
      ],
      orders: [{ customerId: 'c', orderId: 'o1', at: 3 * D, total: 50 }],
    };
    expect(attributeOrders(facts).map((a) => [a.send.emailId, a.touch])).toEqual([['s1', 'click']]);
    // without the click, the opened send wins over the later plain one
    facts.engagement = facts.engagement.slice(0, 1);
    expect(attributeOrders(facts).map((a) => [a.send.emailId, a.touch])).toEqual([['s2', 'open']]);
  });

  it('credits nothing outside the window, nor engagement after the order', () => {
    const facts: CampaignFacts = {
      sends: [send('s1', 'c', 'a', 0)],
      engagement: [{ customerId: 'c', sendId: 's1', campaignId: 'a', kind: 'clicked', at: 2 * D }],
      orders: [
        { customerId: 'c', orderId: 'early', at: 1 * D, total: 10 },
        { customerId: 'c', orderId: 'late', at: 8 * D, total: 10 },
        { customerId: 'other', orderId: 'x', at: 1 * D, total: 10 },
      ],
    };
    const got = attributeOrders(facts, 7 * D);
    expect(got.map((a) => [a.order.orderId, a.touch])).toEqual([['early', 'send']]);
  });

  it('matches engagement without a send id to the campaign send before it', () => {
    const facts: CampaignFacts = {
      sends: [send('s1', 'c', 'a', 0)],
      engagement: [{ customerId: 'c', sendId: null, campaignId: 'a', kind: 'clicked', at: H }],
      orders: [{ customerId: 'c', orderId: 'o', at: 2 * H, total: 10 }],
    };
    expect(attributeOrders(facts)[0]?.touch).toBe('click');
  });
});

describe('campaignResults', () => {
  it('reports rates per arm and the uplift against the holdout', () => {
    const sends: CampaignSend[] = [];
    const orders: CampaignFacts['orders'] = [];
    const engagement: CampaignFacts['engagement'] = [];
    for (let i = 0; i < 20; i += 1) {
      const holdout = i % 4 === 0;
      sends.push(send(`s${i}`, `c${i}`, 'winback', 0, holdout ? 'holdout' : 'A'));
      if (!holdout)
        engagement.push({
          customerId: `c${i}`,
          sendId: `s${i}`,
          campaignId: 'winback',
          kind: 'delivered',
          at: H,
        });
      if (!holdout && i % 2 === 0)
        engagement.push({
          customerId: `c${i}`,
          sendId: `s${i}`,
          campaignId: 'winback',
          kind: 'opened',
          at: 2 * H,
        });
      // treated (15): the 10 odd ones buy for 100, the 5 even ones open; holdout (5): one buys for 100
      if ((holdout && i === 0) || (!holdout && i % 2 === 1))
        orders.push({ customerId: `c${i}`, orderId: `o${i}`, at: D, total: 100 });
    }
    const rows = campaignResults({ sends, engagement, orders });
    const a = rows.find((r) => r.arm === 'A');
    const h = rows.find((r) => r.holdout);
    expect(a).toMatchObject({
      recipients: 15,
      delivered: 15,
      opened: 5,
      converted: 10,
      deliveryRate: 1,
    });
    expect(a?.openRate).toBeCloseTo(5 / 15);
    expect(h).toMatchObject({
      recipients: 5,
      converted: 1,
      revenuePerRecipient: 20,
      openRate: null,
    });
    expect(a?.revenuePerRecipient).toBeCloseTo(1000 / 15);
    expect(a?.upliftRevenuePerRecipient?.estimate).toBeCloseTo(1000 / 15 - 20);
    expect(a?.upliftConversion?.estimate).toBeCloseTo(10 / 15 - 1 / 5);
    expect(h?.upliftRevenuePerRecipient).toBeNull();
  });
});
