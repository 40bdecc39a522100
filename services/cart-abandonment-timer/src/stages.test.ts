import { describe, expect, it } from '@jest/globals';
import { parseStages } from './stages';

describe('parseStages', () => {
  it('reads ascending durations', () => {
    expect(parseStages(['30m', '24h'])).toEqual([1_800_000, 86_400_000]);
  });
  it('names every bad item', () => {
    expect(() => parseStages(['24h', '30m', 'soon'])).toThrow('check 30m, soon');
  });
});
