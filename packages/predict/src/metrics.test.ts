import { describe, expect, it } from '@jest/globals';
import { calibrationTable, precisionAtK, precisionRecallAt, recallAtK, rocAuc } from './metrics';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5);
  });

  it('counts pairs: 3 of 4 positive-negative pairs ordered right gives 0.75', () => {
    // positives 0.6, 0.9; negatives 0.3, 0.7: pairs (0.6>0.3 yes, 0.6>0.7 no, 0.9>both yes)
    expect(rocAuc([0.6, 0.9, 0.3, 0.7], [true, true, false, false])).toBe(0.75);
  });

  it('is NaN when a class is missing', () => {
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNaN();
  });
});

describe('precision and recall', () => {
  it('at a threshold', () => {
    const s = precisionRecallAt([0.9, 0.8, 0.3, 0.75], [true, false, true, true], 0.7);
    expect(s).toEqual({ threshold: 0.7, precision: 2 / 3, recall: 2 / 3, flagged: 3 });
  });

  it('at k, with k in the precision denominator', () => {
    const relevant = new Set(['a', 'c', 'z']);
    expect(precisionAtK(['a', 'b', 'c', 'd', 'e'], relevant, 5)).toBe(0.4);
    expect(recallAtK(['a', 'b', 'c', 'd', 'e'], relevant, 5)).toBeCloseTo(2 / 3);
    expect(recallAtK(['a'], new Set(), 5)).toBeNaN();
  });
});

describe('calibrationTable', () => {
  it('bins predictions and compares with the observed share', () => {
    const bins = calibrationTable([0.05, 0.15, 0.95, 0.91], [false, true, true, false], 10);
    expect(bins.map((b) => [b.from, b.count, b.observed])).toEqual([
      [0, 1, 0],
      [0.1, 1, 1],
      [0.9, 2, 0.5],
    ]);
    expect(bins[2]?.predicted).toBeCloseTo(0.93);
  });
});
