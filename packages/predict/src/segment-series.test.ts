import { describe, expect, it } from '@jest/globals';
import { sizeSeriesFromHistory } from './segment-series';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

describe('sizeSeriesFromHistory', () => {
  it('carries the last recorded size forward over hours without changes', () => {
    const series = sizeSeriesFromHistory(
      new Map([
        [
          'vip',
          [
            { hour: T0, size: 3 },
            { hour: T0 + 3 * H, size: 1 },
          ],
        ],
        ['new', [{ hour: T0 + H, size: 5 }]],
      ]),
    );
    expect(series.bucket).toBe('hour');
    expect(series.from).toBe(T0);
    expect(series.to).toBe(T0 + 3 * H);
    expect(series.segments.get('vip')?.map((p) => p.size)).toEqual([3, 3, 3, 1]);
    expect(series.segments.get('new')?.map((p) => p.size)).toEqual([0, 5, 5, 5]);
    expect(series.segments.get('vip')?.[3]).toMatchObject({ entered: 0, exited: 2 });
    expect(series.segments.get('new')?.[1]).toMatchObject({ entered: 5, exited: 0 });
  });

  it('takes the size at the end of each day when bucketed by day', () => {
    const day = 24 * H;
    const series = sizeSeriesFromHistory(
      new Map([
        [
          'vip',
          [
            { hour: T0 + 2 * H, size: 10 },
            { hour: T0 + 20 * H, size: 12 },
            { hour: T0 + 5 * day, size: 7 },
          ],
        ],
      ]),
    );
    expect(series.bucket).toBe('day');
    expect(series.segments.get('vip')?.map((p) => p.size)).toEqual([12, 12, 12, 12, 12, 7]);
  });

  it('is empty without history', () => {
    expect(sizeSeriesFromHistory(new Map())).toMatchObject({ from: null, to: null });
  });
});
