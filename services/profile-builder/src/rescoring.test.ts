import { describe, expect, it } from '@jest/globals';
import type { ProfileChange } from '@pulse/contracts';
import { churnRiskOf, materialChange } from './rescoring';

const change = (traits: Record<string, string>, tombstone = false): ProfileChange => ({
  customerId: 'u:c1',
  version: 2,
  eventId: null,
  eventType: null,
  eventOccurredAt: null,
  at: 0,
  changed: [],
  mergedFrom: [],
  mergedInto: null,
  tombstone,
  profile: {
    email: null,
    userIds: [],
    anonymousIds: [],
    firstSeenAt: null,
    lastSeenAt: null,
    traits,
    aggregates: {},
  },
});

describe('materialChange', () => {
  it('publishes a first score, a move of at least minChange, and any crossing of 0.7', () => {
    expect(materialChange(null, 0.1, 0.02)).toBe(true);
    expect(materialChange(0.3, 0.319, 0.02)).toBe(false);
    expect(materialChange(0.3, 0.32, 0.02)).toBe(true);
    expect(materialChange(0.5, 0.48, 0.02)).toBe(true);
    expect(materialChange(0.695, 0.7, 0.02)).toBe(true);
    expect(materialChange(0.7, 0.699, 0.02)).toBe(true);
  });

  it('never publishes an equal score, even with minChange 0', () => {
    expect(materialChange(0.42, 0.42, 0)).toBe(false);
    expect(materialChange(0.42, 0.421, 0)).toBe(true);
  });
});

describe('churnRiskOf', () => {
  it('reads the JSON number trait; absent, unreadable or tombstoned is null', () => {
    expect(churnRiskOf(change({ churnRisk: '0.734' }))).toBe(0.734);
    expect(churnRiskOf(change({ vip: 'true' }))).toBeNull();
    expect(churnRiskOf(change({ churnRisk: '"high"' }))).toBeNull();
    expect(churnRiskOf(change({ churnRisk: '0.5' }, true))).toBeNull();
  });
});
