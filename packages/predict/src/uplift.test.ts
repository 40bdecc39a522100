import { describe, expect, it } from '@jest/globals';
import { groupStats, meanDifference, proportionDifference, wilson } from './uplift';

describe('uplift intervals', () => {
  it('uses Welch standard errors for the difference of means', () => {
    const treated = groupStats([0, 10, 20, 30]); // mean 15, var 166.67
    const control = groupStats([0, 0, 10, 10]); // mean 5, var 33.33
    const ci = meanDifference(treated, control);
    const se = Math.sqrt(166.6667 / 4 + 33.3333 / 4);
    expect(ci?.estimate).toBeCloseTo(10);
    expect(ci?.low).toBeCloseTo(10 - 1.96 * se, 3);
    expect(ci?.high).toBeCloseTo(10 + 1.96 * se, 3);
  });

  it('gives no interval for a group of fewer than two', () => {
    expect(meanDifference(groupStats([5]), groupStats([1, 2]))).toBeNull();
  });

  it('differences proportions with the unpooled normal interval', () => {
    const ci = proportionDifference(30, 100, 20, 100);
    const se = Math.sqrt((0.3 * 0.7) / 100 + (0.2 * 0.8) / 100);
    expect(ci?.estimate).toBeCloseTo(0.1);
    expect(ci?.high).toBeCloseTo(0.1 + 1.96 * se);
  });

  it('keeps the Wilson interval inside [0, 1]', () => {
    const ci = wilson(0, 10);
    expect(ci?.low).toBe(0);
    expect(ci?.high).toBeCloseTo(0.2775, 3);
    expect(() => wilson(1, 2, 0.8)).toThrow(/0.9, 0.95, 0.99/);
  });
});
