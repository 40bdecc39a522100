import { describe, expect, it } from '@jest/globals';
import type { CompiledCampaign } from './campaigns';
import { cartTriggerStale, segmentTriggerStale } from './eligibility';
import { launchReason, reeligibilityReason, reeligibleArg } from './send-gates';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 10);
const campaign = (over: Partial<CompiledCampaign>) =>
  ({ id: 'vip', launch: 'existing-members', reeligible: null, ...over }) as CompiledCampaign; // the fields these checks read

describe('launch policy', () => {
  it('skips triggers from before the launch only for new-entrants-only', () => {
    const fresh = campaign({ launch: 'new-entrants-only' });
    expect(launchReason(fresh, T0 - 1, T0)).toMatch(/before the campaign launched/);
    expect(launchReason(fresh, T0, T0)).toBeNull();
    expect(launchReason(campaign({}), T0 - DAY, T0)).toBeNull();
  });
});

describe('re-eligibility', () => {
  it('once: never again; every: not within the window', () => {
    const once = campaign({ reeligible: { kind: 'once' } });
    expect(reeligibilityReason(once, T0 - 400 * DAY, T0)).toMatch(/reeligible: once/);
    expect(reeligibilityReason(once, null, T0)).toBeNull();
    const monthly = campaign({ reeligible: { kind: 'every', everyMs: 30 * DAY } });
    expect(reeligibilityReason(monthly, T0 - 29 * DAY, T0)).toMatch(/eligible again from/);
    expect(reeligibilityReason(monthly, T0 - 30 * DAY, T0)).toBeNull();
    expect(reeligibleArg(once)).toBe('once');
    expect(reeligibleArg(monthly)).toBe(30 * DAY);
    expect(reeligibleArg(campaign({}))).toBe(0);
  });
});

describe('trigger re-checks', () => {
  const cartTrigger = { id: 't', customerId: 'c', at: T0 };
  it('drops a cart reminder once the customer ordered or emptied the cart', () => {
    const base = { customerId: 'c', cart: { lines: [{ productId: 'p' }] } };
    expect(
      cartTriggerStale({ ...base, purchases: { lastPurchaseAt: T0 + 1 } }, cartTrigger),
    ).toMatch(/ordered at/);
    expect(
      cartTriggerStale({ ...base, purchases: { lastPurchaseAt: T0 - 1 } }, cartTrigger),
    ).toBeNull();
    expect(cartTriggerStale({ customerId: 'c', cart: { lines: [] } }, cartTrigger)).toMatch(
      /emptied/,
    );
    expect(cartTriggerStale({ customerId: 'c' }, cartTrigger)).toBeNull();
  });

  it('needs the customer still in (or still out of) the segment', () => {
    const entered = { ...cartTrigger, segment: { id: 'vip', change: 'entered' as const } };
    expect(segmentTriggerStale(new Set(['vip']), entered)).toBeNull();
    expect(segmentTriggerStale(new Set(), entered)).toBe('no longer in segment vip');
    const exited = { ...cartTrigger, segment: { id: 'vip', change: 'exited' as const } };
    expect(segmentTriggerStale(new Set(['vip']), exited)).toBe('back in segment vip');
  });
});
