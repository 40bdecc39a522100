import { activityAt } from './activity';
import { scoreChurn, type ChurnModel } from './churn-model';
import { recencyDays } from './features';
import { DAY_MS, type CustomerHistory } from './history';
import { mean, precisionAtK, recallAtK, rocAuc } from './metrics';
import { recommend, recommendPopular, trainOffers } from './recommender';

export interface ChurnTruthEvaluation {
  customers: number;
  churned: number;
  modelAuc: number;
  recencyAuc: number;
}

/**
 * Churn scores at `asOf` against a known truth (the generator's hidden churn), next to the
 * recency-only baseline on the same customers (those who had ordered by `asOf`).
 */
export function evaluateChurnTruth(
  model: ChurnModel,
  histories: readonly CustomerHistory[],
  asOf: number,
  churnedTruth: (customerId: string) => boolean,
): ChurnTruthEvaluation {
  const scores: number[] = [];
  const recency: number[] = [];
  const labels: boolean[] = [];
  for (const h of histories) {
    const a = activityAt(h, asOf);
    const s = scoreChurn(model, a, asOf);
    if (s === null) continue;
    scores.push(s);
    recency.push(recencyDays(a, asOf));
    labels.push(churnedTruth(h.customerId));
  }
  return {
    customers: labels.length,
    churned: labels.filter(Boolean).length,
    modelAuc: rocAuc(scores, labels),
    recencyAuc: rocAuc(recency, labels),
  };
}

export interface OfferEvaluation {
  k: number;
  /** Customers with a new product bought in the held-out period. */
  customers: number;
  model: { precision: number; recall: number };
  popularity: { precision: number; recall: number };
}

/**
 * Held-out evaluation: train on orders up to `cutoff`; for each customer who bought products
 * after it that they had not bought before, recommend k from purchases up to the cutoff and
 * the views of the `browsingDays` before it; compare with the best sellers.
 */
export function evaluateOffers(
  histories: readonly CustomerHistory[],
  cutoff: number,
  k = 5,
  browsingDays = 14,
): OfferEvaluation {
  const model = trainOffers(histories, { trainedAt: new Date(cutoff), asOf: cutoff });
  const m = { p: [] as number[], r: [] as number[] };
  const b = { p: [] as number[], r: [] as number[] };
  for (const h of histories) {
    const before = new Set(
      h.orders.filter((o) => o.at <= cutoff).flatMap((o) => o.items.map((i) => i.productId)),
    );
    const relevant = new Set(
      h.orders
        .filter((o) => o.at > cutoff)
        .flatMap((o) => o.items.map((i) => i.productId))
        .filter((id) => !before.has(id)),
    );
    if (relevant.size === 0) continue;
    const viewed = h.views
      .filter((v) => v.at <= cutoff && v.at > cutoff - browsingDays * DAY_MS)
      .sort((x, y) => y.at - x.at)
      .map((v) => v.productId);
    const recs = recommend(
      model,
      { purchased: [...before], recentlyViewed: [...new Set(viewed)] },
      k,
    );
    const pop = recommendPopular(model, [...before], k);
    m.p.push(precisionAtK(recs, relevant, k));
    m.r.push(recallAtK(recs, relevant, k));
    b.p.push(precisionAtK(pop, relevant, k));
    b.r.push(recallAtK(pop, relevant, k));
  }
  return {
    k,
    customers: m.p.length,
    model: { precision: mean(m.p), recall: mean(m.r) },
    popularity: { precision: mean(b.p), recall: mean(b.r) },
  };
}
