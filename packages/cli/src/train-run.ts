import {
  timeSplit,
  trainChurnModel,
  trainOffers,
  type ChurnModel,
  type CustomerHistory,
  type OfferModel,
} from '@pulse/predict';

export type TrainResult<M> = { ok: true; model: M } | { ok: false; message: string };

/**
 * The churn model from histories ending at `end`: refuses (with how much is needed) when the
 * history is too short or has too few customers of either outcome.
 */
export function trainChurn(
  histories: readonly CustomerHistory[],
  end: number,
  horizonDays: number,
  trainedAt: Date,
): TrainResult<ChurnModel> {
  const split = timeSplit(histories, end, horizonDays);
  if (!split.ok) return split;
  return { ok: true, model: trainChurnModel(split.split, horizonDays, trainedAt) };
}

/** Minimum buyers for co-purchase neighbours worth serving; fewer and the popular list is all there is. */
export const MIN_OFFER_CUSTOMERS = 50;

export function trainOfferModel(
  histories: readonly CustomerHistory[],
  trainedAt: Date,
): TrainResult<OfferModel> {
  const model = trainOffers(histories, { trainedAt });
  if (model.customers < MIN_OFFER_CUSTOMERS)
    return {
      ok: false,
      message: `too little data to train recommendations: ${model.customers} customers with orders; need at least ${MIN_OFFER_CUSTOMERS}`,
    };
  return { ok: true, model };
}

/** One line per figure of a trained churn model, for the terminal. */
export function describeChurn(m: ChurnModel): string[] {
  const e = m.evaluation;
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');
  return [
    `churn model ${m.version}: ${m.data.train.examples} training customers (cutoff ${m.data.trainCutoff.slice(0, 10)}), ${m.data.test.examples} test (cutoff ${m.data.testCutoff.slice(0, 10)})`,
    `test ROC AUC ${f(e.auc)} (recency-only ${f(e.recencyBaselineAuc)})${e.auc > e.recencyBaselineAuc ? '' : ' — does NOT beat the recency baseline'}`,
    `threshold ${m.threshold}: precision ${f(e.atThreshold.precision)}, recall ${f(e.atThreshold.recall)}`,
    `calibration (predicted → observed): ${e.calibration.map((b) => `${f(b.predicted)}→${f(b.observed)} (${b.count})`).join(', ')}`,
  ];
}
