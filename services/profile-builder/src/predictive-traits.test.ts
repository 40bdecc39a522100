import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { ProfileChange } from '@pulse/contracts';
import type { Logger } from '@pulse/core';
import { CHURN_FEATURES, CHURN_MODEL_FORMAT, trainOffers } from '@pulse/predict';
import { loadPredictiveTraits } from './predictive-traits';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const dir = mkdtempSync(path.join(tmpdir(), 'pulse-predict-'));

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = (_fields: unknown, msg?: string) => void lines.push(msg ?? '');
  const logger = {
    info: log,
    warn: log,
    error: log,
    debug: log,
    child: () => logger,
  } as unknown as Logger; // only the methods the module calls
  return { logger, lines };
}

/** A model whose only weight is on recency: longer since the last order, higher risk. */
function churnModelFile(): string {
  const n = CHURN_FEATURES.length;
  const file = path.join(dir, 'churn.json');
  const weights = Array.from({ length: n }, (_, i) => (i === 0 ? 2 : 0));
  writeFileSync(
    file,
    JSON.stringify({
      format: CHURN_MODEL_FORMAT,
      formatVersion: 1,
      version: 'test',
      threshold: 0.5,
      features: [...CHURN_FEATURES],
      fit: {
        intercept: 0,
        weights,
        means: Array(n)
          .fill(0)
          .map((_, i) => (i === 0 ? Math.log1p(30) : 0)),
        scales: Array(n).fill(1),
      },
    }),
  );
  return file;
}

function change(daysSinceOrder: number): ProfileChange {
  const day = String(Math.floor((NOW - daysSinceOrder * DAY) / DAY));
  return {
    customerId: 'u:c1',
    version: 3,
    eventId: 'e',
    eventType: 'Page Viewed',
    eventOccurredAt: NOW,
    at: NOW,
    changed: [],
    mergedFrom: [],
    mergedInto: null,
    tombstone: false,
    profile: {
      email: null,
      userIds: ['c1'],
      anonymousIds: [],
      firstSeenAt: NOW - 300 * DAY,
      lastSeenAt: NOW,
      traits: { vip: 'false' },
      aggregates: {
        purchases: JSON.stringify({
          ordersByDay: { [day]: 1 },
          spendByDay: { [day]: 50 },
          categories: { Shoes: 1 },
          products: ['p1'],
          discountShare: 0,
        }),
        email: JSON.stringify({ deliveredByDay: {}, opensByDay: {}, clicksByDay: {} }),
        browsing: JSON.stringify({ recentProducts: { p3: NOW - 1000 } }),
      },
    },
  };
}

describe('predictive traits in the profile builder', () => {
  it('leaves the traits absent and logs when a model file is missing or incompatible', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: CHURN_MODEL_FORMAT, formatVersion: 99 }));
    const { logger, lines } = recordingLogger();
    const p = loadPredictiveTraits({
      churnModelFile: path.join(dir, 'missing.json'),
      offerModelFile: bad,
      logger,
    });
    expect(lines).toEqual([
      'churn model not loaded (missing or not JSON); the trait is absent',
      'next-best-offer model incompatible; the trait is absent',
    ]);
    const c = change(10);
    expect(p.forChange(c)).toBe(c);
  });

  it('scores churnRisk and nextBestOffer into a change record as JSON text traits', () => {
    const offers = trainOffers(
      [
        {
          customerId: 'x',
          firstSeenAt: 0,
          emails: [],
          views: [],
          orders: [
            {
              at: 1,
              total: 1,
              discounted: false,
              items: [
                { productId: 'p1', category: 'Shoes' },
                { productId: 'p2', category: 'Bags' },
              ],
            },
          ],
        },
      ],
      { trainedAt: new Date(NOW) },
    );
    const offerFile = path.join(dir, 'offers.json');
    writeFileSync(offerFile, JSON.stringify(offers));
    const p = loadPredictiveTraits({
      churnModelFile: churnModelFile(),
      offerModelFile: offerFile,
      logger: recordingLogger().logger,
    });
    const recent = Number(p.forChange(change(2)).profile.traits.churnRisk);
    const old = Number(p.forChange(change(200)).profile.traits.churnRisk);
    expect(old).toBeGreaterThan(0.9);
    expect(recent).toBeLessThan(old);
    const offer = JSON.parse(p.forChange(change(2)).profile.traits.nextBestOffer ?? 'null') as {
      productIds: string[];
    };
    // the viewed product first (browsing), then p1's co-purchase neighbour
    expect(offer.productIds.slice(0, 2)).toEqual(['p3', 'p2']);
    expect(p.forChange(change(2)).profile.traits.vip).toBe('false');
    // a change to what the scores are computed from names them, so segments on them re-check
    expect(p.forChange(change(2)).changed).toEqual([]);
    const ordered = { ...change(2), changed: ['aggregates.purchases', 'lastSeenAt'] };
    expect(p.forChange(ordered).changed).toEqual([
      'aggregates.purchases',
      'lastSeenAt',
      'traits.churnRisk',
      'traits.nextBestOffer',
    ]);
  });
});
