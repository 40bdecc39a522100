import { describe, expect, it } from '@jest/globals';
import { dedupBucket, DEDUP_BUCKETS } from './dedup';
import { fitsJsonBytes, jsonBytesAtMost } from './json-size';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('jsonBytesAtMost', () => {
  it('is never below the serialized size, escapes and multi-byte text included', () => {
    const samples: unknown[] = [
      { a: 'plain', n: -1.234567890123456e-300, list: [true, null, 0] },
      { 'ké"y': 'ünïcödé 😀 "quoted" \\ \n\u0001' },
      [[], {}, '', 1e21],
    ];
    for (const v of samples) expect(jsonBytesAtMost(v, Infinity)).toBeGreaterThanOrEqual(bytes(v));
  });
});

describe('fitsJsonBytes', () => {
  it('decides exactly at the limit, also when the bound is too loose', () => {
    const item = { text: 'x'.repeat(1000) };
    expect(fitsJsonBytes(item, bytes(item))).toBe(true);
    expect(fitsJsonBytes(item, bytes(item) - 1)).toBe(false);
  });
});

describe('dedupBucket', () => {
  it('is stable and spreads ids over every bucket', () => {
    expect(dedupBucket('m-1')).toBe(dedupBucket('m-1'));
    const used = new Set(Array.from({ length: 500 }, (_, i) => dedupBucket(`msg-${i}`)));
    expect(used.size).toBe(DEDUP_BUCKETS);
  });
});
