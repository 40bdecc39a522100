import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';

/** A fitted logistic model over standardized features: P = σ(b + Σ w·(x − mean)/scale). */
export interface LogisticFit {
  intercept: number;
  weights: number[];
  means: number[];
  scales: number[];
}

export interface FitOptions {
  /** Gradient steps (the library's fixed-step gradient ascent). */
  steps?: number;
  /** Step size per example: the library sums gradients over rows, so it is divided by n. */
  learningRate?: number;
}

function standardizer(rows: readonly number[][]): { means: number[]; scales: number[] } {
  const d = rows[0]?.length ?? 0;
  const means = Array.from(
    { length: d },
    (_, j) => rows.reduce((s, r) => s + (r[j] ?? 0), 0) / rows.length,
  );
  const scales = means.map((m, j) => {
    const v = rows.reduce((s, r) => s + ((r[j] ?? 0) - m) ** 2, 0) / rows.length;
    // a constant column (e.g. nobody without orders) gets scale 1 and so weight ~0
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  return { means, scales };
}

function design(
  rows: readonly number[][],
  means: readonly number[],
  scales: readonly number[],
): Matrix {
  return new Matrix(
    rows.map((r) => [1, ...r.map((x, j) => (x - (means[j] ?? 0)) / (scales[j] ?? 1))]),
  );
}

/**
 * Fits with ml-logistic-regression (mljs) on standardized features plus an intercept column;
 * the weights are taken out so scoring needs no library and the model file is plain numbers.
 */
export function fitLogistic(
  rows: readonly number[][],
  labels: readonly boolean[],
  options: FitOptions = {},
): LogisticFit {
  const { means, scales } = standardizer(rows);
  const lr = new LogisticRegression({
    numSteps: options.steps ?? 1500,
    learningRate: (options.learningRate ?? 1) / rows.length,
  });
  lr.train(design(rows, means, scales), Matrix.columnVector(labels.map((y) => (y ? 1 : 0))));
  const classifier = lr.classifiers[0];
  if (!classifier) throw new Error('logistic regression produced no classifier (one class only?)');
  const [intercept = 0, ...weights] = classifier.weights.to1DArray();
  return { intercept, weights, means, scales };
}

/** P(label) for one feature vector. */
export function predictLogistic(fit: LogisticFit, x: readonly number[]): number {
  let z = fit.intercept;
  fit.weights.forEach((w, j) => {
    z += (w * ((x[j] ?? 0) - (fit.means[j] ?? 0))) / (fit.scales[j] ?? 1);
  });
  return 1 / (1 + Math.exp(-z));
}
