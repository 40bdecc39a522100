import type { Activity } from './activity';
import type { TimeSplit } from './churn-dataset';
import { CHURN_FEATURES, churnFeatures, hasOrdered } from './features';
import { fitLogistic, predictLogistic, type FitOptions, type LogisticFit } from './logistic';
import {
  calibrationTable,
  precisionRecallAt,
  rocAuc,
  type CalibrationBin,
  type ThresholdStats,
} from './metrics';

/** The file format; `FORMAT_VERSION` changes when an older reader could not score with it. */
export const CHURN_MODEL_FORMAT = 'pulse.churn-model';
export const CHURN_MODEL_FORMAT_VERSION = 1;

/** The segment threshold of "At risk" (config/segments/at-risk.yaml). */
export const AT_RISK_THRESHOLD = 0.7;

export interface ChurnEvaluation {
  /** On the test period (the later cutoff). */
  auc: number;
  /** AUC of days-since-last-order alone on the same examples. */
  recencyBaselineAuc: number;
  atThreshold: ThresholdStats;
  atSegmentThreshold: ThresholdStats;
  calibration: CalibrationBin[];
}

/** A churn model file: everything needed to score, and how it did when trained. */
export interface ChurnModel {
  format: typeof CHURN_MODEL_FORMAT;
  formatVersion: typeof CHURN_MODEL_FORMAT_VERSION;
  /** This model's id: the training instant, so files sort by age. */
  version: string;
  trainedAt: string;
  library: string;
  horizonDays: number;
  features: string[];
  fit: LogisticFit;
  /** Where "churning" starts: the F1-best threshold on the training period. */
  threshold: number;
  data: {
    trainCutoff: string;
    testCutoff: string;
    train: { examples: number; churned: number };
    test: { examples: number; churned: number };
  };
  evaluation: ChurnEvaluation;
}

function bestF1Threshold(scores: readonly number[], labels: readonly boolean[]): number {
  let best = { t: 0.5, f1: -1 };
  for (let t = 0.05; t < 0.96; t += 0.05) {
    const { precision, recall } = precisionRecallAt(scores, labels, t);
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    if (Number.isFinite(f1) && f1 > best.f1) best = { t: Math.round(t * 100) / 100, f1 };
  }
  return best.t;
}

/** Trains on the split's earlier period, evaluates on its later one. */
export function trainChurnModel(
  split: TimeSplit,
  horizonDays: number,
  trainedAt: Date,
  options: FitOptions = {},
): ChurnModel {
  const fit = fitLogistic(
    split.train.map((e) => e.features),
    split.train.map((e) => e.churned),
    options,
  );
  const trainScores = split.train.map((e) => predictLogistic(fit, e.features));
  const threshold = bestF1Threshold(
    trainScores,
    split.train.map((e) => e.churned),
  );
  const scores = split.test.map((e) => predictLogistic(fit, e.features));
  const labels = split.test.map((e) => e.churned);
  const count = (rows: TimeSplit['train']) => ({
    examples: rows.length,
    churned: rows.filter((r) => r.churned).length,
  });
  return {
    format: CHURN_MODEL_FORMAT,
    formatVersion: CHURN_MODEL_FORMAT_VERSION,
    version: trainedAt.toISOString(),
    trainedAt: trainedAt.toISOString(),
    library: 'ml-logistic-regression 2',
    horizonDays,
    features: [...CHURN_FEATURES],
    fit,
    threshold,
    data: {
      trainCutoff: new Date(split.trainCutoff).toISOString(),
      testCutoff: new Date(split.testCutoff).toISOString(),
      train: count(split.train),
      test: count(split.test),
    },
    evaluation: {
      auc: rocAuc(scores, labels),
      recencyBaselineAuc: rocAuc(
        split.test.map((e) => e.recencyDays),
        labels,
      ),
      atThreshold: precisionRecallAt(scores, labels, threshold),
      atSegmentThreshold: precisionRecallAt(scores, labels, AT_RISK_THRESHOLD),
      calibration: calibrationTable(scores, labels),
    },
  };
}

export type ParsedModel = { ok: true; model: ChurnModel } | { ok: false; reason: string };

const finiteList = (v: unknown, n: number): boolean =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Checks a model file's JSON before anything scores with it: the format and its version, the
 * feature list (same names, same order as this build computes) and the numbers' shapes.
 */
export function parseChurnModel(json: unknown): ParsedModel {
  if (typeof json !== 'object' || json === null) return { ok: false, reason: 'not a JSON object' };
  const m = json as Partial<ChurnModel>;
  if (m.format !== CHURN_MODEL_FORMAT)
    return { ok: false, reason: `format is not ${CHURN_MODEL_FORMAT}` };
  if (m.formatVersion !== CHURN_MODEL_FORMAT_VERSION)
    return {
      ok: false,
      reason: `formatVersion ${String(m.formatVersion)}; this build reads ${CHURN_MODEL_FORMAT_VERSION}`,
    };
  const names = CHURN_FEATURES.join(',');
  if (!Array.isArray(m.features) || m.features.join(',') !== names)
    return {
      ok: false,
      reason: `features ${JSON.stringify(m.features)} differ from this build's [${names}]`,
    };
  const n = CHURN_FEATURES.length;
  const fit = m.fit;
  if (
    !fit ||
    typeof fit.intercept !== 'number' ||
    !finiteList(fit.weights, n) ||
    !finiteList(fit.means, n) ||
    !finiteList(fit.scales, n)
  )
    return { ok: false, reason: `fit needs an intercept and ${n} weights, means and scales` };
  if (typeof m.threshold !== 'number' || typeof m.version !== 'string')
    return { ok: false, reason: 'threshold or version missing' };
  return { ok: true, model: m as ChurnModel };
}

/** P(no order within the model's horizon) at `asOf`; null for a customer who never ordered. */
export function scoreChurn(model: ChurnModel, activity: Activity, asOf: number): number | null {
  if (!hasOrdered(activity, asOf)) return null;
  return Math.round(predictLogistic(model.fit, churnFeatures(activity, asOf)) * 1000) / 1000;
}
