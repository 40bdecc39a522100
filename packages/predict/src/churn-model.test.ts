import { describe, expect, it } from '@jest/globals';
import { activityAt } from './activity';
import { timeSplit } from './churn-dataset';
import { parseChurnModel, scoreChurn, trainChurnModel } from './churn-model';
import { DAY_MS, type CustomerHistory } from './history';

const END = Date.UTC(2026, 0, 1);

/** Customers who keep buying every 20 days, and customers who stopped at a random point. */
function population(n: number): CustomerHistory[] {
  return Array.from({ length: n }, (_, i) => {
    const stopsAt = i % 2 === 0 ? END + DAY_MS : END - ((i * 7) % 300) * DAY_MS;
    const orders = [];
    for (
      let t = END - 400 * DAY_MS + (i % 20) * DAY_MS;
      t < Math.min(stopsAt, END);
      t += 20 * DAY_MS
    )
      orders.push({
        at: t,
        total: 30,
        discounted: false,
        items: [{ productId: `p${i % 5}`, category: 'X' }],
      });
    return { customerId: `c${i}`, firstSeenAt: END - 400 * DAY_MS, orders, emails: [], views: [] };
  });
}

describe('the churn model', () => {
  it('refuses too little data, saying how much is needed', () => {
    const result = timeSplit(population(40), END, 60);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/need at least 200 examples with 30 of each/);
    const short = timeSplit(population(400), END, 200);
    if (!short.ok) expect(short.message).toMatch(/history spans 400 days; need at least 430/);
    expect(short.ok).toBe(false);
  });

  it('trains with the library, ranks stopped customers as risky, round-trips its file', () => {
    const split = timeSplit(population(600), END, 60);
    if (!split.ok) throw new Error(split.message);
    const model = trainChurnModel(split.split, 60, new Date(END), { steps: 300 });
    expect(model.evaluation.auc).toBeGreaterThan(0.9);
    const parsed = parseChurnModel(JSON.parse(JSON.stringify(model)));
    expect(parsed.ok).toBe(true);
    const [active, stopped] = [population(60)[0], population(60)[41]]; // 41 stopped 287 days ago
    if (!active || !stopped || !parsed.ok) throw new Error('fixture');
    const risk = (h: CustomerHistory) => scoreChurn(parsed.model, activityAt(h, END), END) ?? -1;
    expect(risk(stopped)).toBeGreaterThan(risk(active));
    expect(scoreChurn(model, activityAt({ ...active, orders: [] }, END), END)).toBeNull();
  });

  it('names what makes a model file unusable', () => {
    expect(parseChurnModel({ format: 'pulse.churn-model', formatVersion: 2 })).toEqual({
      ok: false,
      reason: 'formatVersion 2; this build reads 1',
    });
    const bad = parseChurnModel({
      format: 'pulse.churn-model',
      formatVersion: 1,
      features: ['recency'],
    });
    expect(bad.ok || bad.reason).toMatch(/features \["recency"\] differ/);
  });
});
