// ml-logistic-regression ships no types; this is the part of its API Pulse calls (v2.0.0).
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  interface TwoClassClassifier {
    /** 1 × features row of weights (no intercept of its own: callers add a column of ones). */
    weights: Matrix;
    testScores(features: Matrix): number[];
  }

  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    /** One-vs-all: classifiers[c] scores "not class c", so for 0/1 labels classifiers[0] = P(1). */
    classifiers: TwoClassClassifier[];
    train(features: Matrix, labels: Matrix): void;
  }
}
