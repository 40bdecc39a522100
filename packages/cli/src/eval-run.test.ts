import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { distributionFromValues, ev, loadSegmentSet, snapshotFrom } from '@pulse/rules';
import { readFileSync } from 'node:fs';
import { beatsBaselines, formatEvaluation, runEvaluation } from './eval-run';
import { loadCatalog } from './store/catalog';
import { simulateStore } from './store/history-sim';

const CONFIG = path.resolve(__dirname, '..', '..', '..', 'config');
const END = Date.UTC(2026, 0, 1);
const catalog = loadCatalog(CONFIG);

describe('the ground-truth store', () => {
  it('replays the same history and truth from a seed, and only orders before churn', () => {
    const a = simulateStore({ seed: 3, customers: 80, end: END, days: 300, demoCatalog: catalog });
    const b = simulateStore({ seed: 3, customers: 80, end: END, days: 300, demoCatalog: catalog });
    expect(a.histories).toEqual(b.histories);
    expect(a.truth).toEqual(b.truth);
    for (const [i, h] of a.histories.entries()) {
      const t = a.truth[i];
      expect(h.orders.every((o) => t !== undefined && o.at < t.churnAt && o.at >= t.signupAt)).toBe(
        true,
      );
    }
  });
});

describe('pulse eval', () => {
  it('trains on the generator and beats both baselines on its hidden truth', () => {
    const r = runEvaluation({
      seed: 42,
      customers: 1500,
      days: 540,
      horizonDays: 60,
      end: END,
      demoCatalog: catalog,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.churnTruth.modelAuc).toBeGreaterThan(r.churnTruth.recencyAuc);
    expect(r.offers.model.precision).toBeGreaterThan(r.offers.popularity.precision);
    expect(beatsBaselines(r)).toBe(true);
    expect(formatEvaluation(r).join('\n')).toMatch(/the model beats the baseline/);
  });

  it('refuses a store too small to train on', () => {
    const r = runEvaluation({
      seed: 42,
      customers: 60,
      days: 540,
      horizonDays: 60,
      end: END,
      demoCatalog: catalog,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/too little data.*need at least 200/);
  });
});

describe('the At risk segment', () => {
  it('loads with the shipped catalog and needs both high churn risk and top-30% value', () => {
    const dir = path.join(CONFIG, 'segments');
    const files = ['_catalog.yaml', 'at-risk.yaml'].map((file) => ({
      file,
      text: readFileSync(path.join(dir, file), 'utf8'),
    }));
    const { set, problems } = loadSegmentSet(files, {});
    expect(problems).toEqual([]);
    const metric = set.metrics[0];
    if (!metric) throw new Error('at-risk reads a lifetime value metric');
    // lifetime values 10, 20, ..., 1000 in the population: the top 30% is above 700
    const distributions = new Map([
      [metric.id, distributionFromValues(Array.from({ length: 100 }, (_, i) => (i + 1) * 10))],
    ]);
    const profile = (risk: number, spent: number) =>
      snapshotFrom(set.aggregates, {
        traits: { churnRisk: risk },
        events: [ev('Order Completed', END - 86_400_000, { total: spent })],
      });
    const member = (risk: number, spent: number) =>
      set.evaluate({ customerId: 'c', profile: profile(risk, spent), now: END, distributions }, [
        'at-risk',
      ])[0]?.member;
    expect(member(0.8, 900)).toBe(true);
    expect(member(0.6, 900)).toBe(false);
    expect(member(0.8, 100)).toBe(false);
  });
});
