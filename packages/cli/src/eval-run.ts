import {
  evaluateChurnTruth,
  evaluateOffers,
  timeSplit,
  trainChurnModel,
  type ChurnModel,
  type ChurnTruthEvaluation,
  type OfferEvaluation,
} from '@pulse/predict';
import type { Product } from './store/catalog';
import { simulateStore, type SimulatedStore } from './store/history-sim';

export interface EvalOptions {
  seed: number;
  customers: number;
  days: number;
  horizonDays: number;
  /** The simulated present (fixed by default so the figures replay). */
  end: number;
  demoCatalog: readonly Product[];
}

export type EvalResult =
  | { ok: false; message: string }
  | {
      ok: true;
      store: SimulatedStore;
      model: ChurnModel;
      churnTruth: ChurnTruthEvaluation;
      offers: OfferEvaluation;
    };

/**
 * Trains both models on the generator's observable history (the churn model on a time split,
 * recommendations on orders before the held-out period) and scores them against what the
 * generator knows: hidden churn for the churn model, the held-out orders for the recommender.
 */
export function runEvaluation(o: EvalOptions): EvalResult {
  const store = simulateStore({
    seed: o.seed,
    customers: o.customers,
    end: o.end,
    days: o.days,
    demoCatalog: o.demoCatalog,
  });
  const split = timeSplit(store.histories, o.end, o.horizonDays);
  if (!split.ok) return { ok: false, message: split.message };
  const model = trainChurnModel(split.split, o.horizonDays, new Date(o.end));
  const churnedBy = new Map(store.truth.map((t) => [t.customerId, t.churnAt <= o.end]));
  const churnTruth = evaluateChurnTruth(
    model,
    store.histories,
    split.split.testCutoff,
    (id) => churnedBy.get(id) ?? false,
  );
  const offers = evaluateOffers(store.histories, split.split.testCutoff, 5);
  return { ok: true, store, model, churnTruth, offers };
}

const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');

/** Whether a learned figure beats its baseline, said plainly. */
function verdict(what: string, model: number, baseline: number): string {
  if (!Number.isFinite(model) || !Number.isFinite(baseline))
    return `${what}: cannot compare (no data)`;
  const diff = model - baseline;
  return diff > 0
    ? `${what}: the model beats the baseline by ${f3(diff)}`
    : `${what}: the model does NOT beat the baseline (${f3(model)} vs ${f3(baseline)})`;
}

/** The evaluation as lines for people. */
export function formatEvaluation(r: Extract<EvalResult, { ok: true }>): string[] {
  const m = r.model;
  const e = m.evaluation;
  return [
    `store: ${r.store.histories.length} customers, ${r.store.histories.reduce((s, h) => s + h.orders.length, 0)} orders over ${Math.round((r.store.end - r.store.start) / 86_400_000)} days`,
    `churn model (${m.library}), horizon ${m.horizonDays} days; train cutoff ${m.data.trainCutoff.slice(0, 10)} (${m.data.train.examples} customers, ${m.data.train.churned} churned), test cutoff ${m.data.testCutoff.slice(0, 10)} (${m.data.test.examples}, ${m.data.test.churned})`,
    `  observed label (no order in the next ${m.horizonDays} days): AUC ${f3(e.auc)} vs recency-only ${f3(e.recencyBaselineAuc)}`,
    `  at threshold ${m.threshold}: precision ${f3(e.atThreshold.precision)}, recall ${f3(e.atThreshold.recall)} (${e.atThreshold.flagged} flagged); at ${e.atSegmentThreshold.threshold}: precision ${f3(e.atSegmentThreshold.precision)}, recall ${f3(e.atSegmentThreshold.recall)}`,
    `  hidden truth (churned by the end, ${r.churnTruth.churned}/${r.churnTruth.customers}): AUC ${f3(r.churnTruth.modelAuc)} vs recency-only ${f3(r.churnTruth.recencyAuc)}`,
    `recommendations on held-out orders (${r.offers.customers} customers with new products after the cutoff):`,
    `  co-purchase + browsing: precision@${r.offers.k} ${f3(r.offers.model.precision)}, recall@${r.offers.k} ${f3(r.offers.model.recall)}`,
    `  popularity baseline:    precision@${r.offers.k} ${f3(r.offers.popularity.precision)}, recall@${r.offers.k} ${f3(r.offers.popularity.recall)}`,
    verdict('churn (hidden truth, AUC)', r.churnTruth.modelAuc, r.churnTruth.recencyAuc),
    verdict('churn (observed label, AUC)', e.auc, e.recencyBaselineAuc),
    verdict(
      `recommendations (precision@${r.offers.k})`,
      r.offers.model.precision,
      r.offers.popularity.precision,
    ),
    verdict(
      `recommendations (recall@${r.offers.k})`,
      r.offers.model.recall,
      r.offers.popularity.recall,
    ),
  ];
}

/** True when every learned figure beats its baseline. */
export function beatsBaselines(r: Extract<EvalResult, { ok: true }>): boolean {
  return (
    r.churnTruth.modelAuc > r.churnTruth.recencyAuc &&
    r.offers.model.precision > r.offers.popularity.precision &&
    r.offers.model.recall > r.offers.popularity.recall
  );
}
