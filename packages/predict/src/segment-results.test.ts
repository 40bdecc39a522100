import { describe, expect, it } from '@jest/globals';
import { campaignResults } from './campaign-results';
import type { CampaignFacts, CampaignSend } from './from-events';
import { segmentEngagement, weekStart } from './segment-engagement';
import { segmentResults } from './segment-results';
import { reconstructMemberships } from './segment-sizes';
import { sendOutcomes } from './send-outcomes';

const H = 3_600_000;
const D = 24 * H;
const W = 7 * D;
const T0 = Date.UTC(2026, 2, 2); // a Monday

const send = (
  emailId: string,
  customerId: string,
  campaignId: string,
  at: number,
  arm = 'A',
): CampaignSend => ({ emailId, customerId, campaignId, arm, holdout: arm === 'holdout', at });

/** Campaign `x` (10 treated, 4 held out) and `y` (4 treated, 4 held out), both on one segment. */
function facts(): CampaignFacts {
  const sends: CampaignSend[] = [];
  const orders: CampaignFacts['orders'] = [];
  for (let i = 0; i < 14; i += 1) {
    sends.push(send(`x${i}`, `x${i}`, 'x', T0, i < 10 ? 'A' : 'holdout'));
    if (i % 2 === 0) orders.push({ customerId: `x${i}`, orderId: `ox${i}`, at: T0 + D, total: 50 });
  }
  for (let i = 0; i < 8; i += 1) {
    sends.push(send(`y${i}`, `y${i}`, 'y', T0, i < 4 ? 'B' : 'holdout'));
    if (i < 4) orders.push({ customerId: `y${i}`, orderId: `oy${i}`, at: T0 + D, total: 20 });
  }
  return { sends, engagement: [], orders };
}

describe('segmentResults', () => {
  it('sums the treated and held-out recipients of every campaign targeting the segment', () => {
    const outcomes = sendOutcomes(facts(), 7 * D);
    const [r] = segmentResults(outcomes, () => 'loyal');
    expect(r).toMatchObject({
      segmentId: 'loyal',
      campaigns: ['x', 'y'],
      recipients: 14,
      converted: 9, // 5 of x's treated, all 4 of y's
      revenue: 5 * 50 + 4 * 20,
      holdoutRecipients: 8,
      holdoutConverted: 2, // x10 and x12
    });
    expect(r?.revenuePerRecipient).toBeCloseTo(330 / 14);
    expect(r?.holdoutRevenuePerRecipient).toBeCloseTo(100 / 8);
  });

  it('pools each campaign against its own holdout, weighted by its treated recipients', () => {
    const outcomes = sendOutcomes(facts(), 7 * D);
    const arms = campaignResults(facts());
    const x = arms.find((a) => a.campaignId === 'x' && !a.holdout);
    const y = arms.find((a) => a.campaignId === 'y' && !a.holdout);
    const [r] = segmentResults(outcomes, () => 'loyal');
    // x: 25 - 25 = 0 per recipient; y: 20 - 0 = 20; weights 10 and 4
    expect(x?.upliftRevenuePerRecipient?.estimate).toBeCloseTo(0);
    expect(y?.upliftRevenuePerRecipient?.estimate).toBeCloseTo(20);
    expect(r?.upliftRevenuePerRecipient?.estimate).toBeCloseTo((10 * 0 + 4 * 20) / 14);
    expect(r?.upliftConversion?.estimate).toBeCloseTo((10 * 0 + 4 * 1) / 14);
    // one campaign alone: the segment's interval is the campaign's
    const [only] = segmentResults(
      outcomes.filter((o) => o.send.campaignId === 'x'),
      () => 'loyal',
    );
    expect(only?.upliftRevenuePerRecipient).toEqual(x?.upliftRevenuePerRecipient);
    expect(only?.upliftConversion).toEqual(x?.upliftConversion);
  });

  it('keeps segments apart and has no uplift without a holdout', () => {
    const outcomes = sendOutcomes(facts(), 7 * D);
    const rows = segmentResults(outcomes, (s) => (s.campaignId === 'x' ? 'a' : 'b'));
    expect(rows.map((r) => [r.segmentId, r.recipients, r.holdoutRecipients])).toEqual([
      ['a', 10, 4],
      ['b', 4, 4],
    ]);
    const [treatedOnly] = segmentResults(
      outcomes.filter((o) => !o.send.holdout),
      () => 'a',
    );
    expect(treatedOnly?.upliftRevenuePerRecipient).toBeNull();
    expect(treatedOnly?.holdoutConversionRate).toBeNull();
  });
});

describe('segmentEngagement', () => {
  it('counts emails sent to members while members, by week of sending', () => {
    const memberships = reconstructMemberships([
      { kind: 'change', id: '1', customerId: 'a', segmentId: 's', change: 'entered', at: T0 },
      { kind: 'change', id: '2', customerId: 'b', segmentId: 's', change: 'entered', at: T0 },
      { kind: 'change', id: '3', customerId: 'b', segmentId: 's', change: 'exited', at: T0 + W },
    ]);
    const f: CampaignFacts = {
      sends: [
        send('e1', 'a', 'any', T0 + D),
        send('e2', 'b', 'any', T0 + D),
        send('e3', 'a', 'any', T0 + W + D),
        send('e4', 'b', 'any', T0 + W + D), // b left the segment: not counted
        send('e5', 'c', 'any', T0 + D), // never a member
        send('h1', 'a', 'any', T0 + 2 * D, 'holdout'), // held out: no email
      ],
      engagement: [
        { customerId: 'a', sendId: 'e1', campaignId: 'any', kind: 'opened', at: T0 + D + H },
        { customerId: 'b', sendId: 'e2', campaignId: 'any', kind: 'clicked', at: T0 + D + H },
        { customerId: 'a', sendId: 'e3', campaignId: 'any', kind: 'delivered', at: T0 + W + D },
      ],
      orders: [],
    };
    const points = segmentEngagement(sendOutcomes(f, 7 * D), memberships);
    expect(points).toEqual([
      {
        segmentId: 's',
        weekStart: T0,
        sends: 2,
        delivered: 0,
        opened: 2,
        clicked: 1,
        openRate: 1,
        clickRate: 0.5,
      },
      {
        segmentId: 's',
        weekStart: T0 + W,
        sends: 1,
        delivered: 1,
        opened: 0,
        clicked: 0,
        openRate: 0,
        clickRate: 0,
      },
    ]);
  });

  it('weeks start on Monday 00:00 UTC', () => {
    expect(weekStart(T0 + 6 * D + 23 * H)).toBe(T0);
    expect(weekStart(T0 - 1)).toBe(T0 - W);
  });
});
