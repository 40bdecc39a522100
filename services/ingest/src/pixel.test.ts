import { describe, expect, it } from '@jest/globals';
import { decodePixelData, PIXEL_GIF } from './pixel';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('pixel', () => {
  it('is a 43-byte GIF', () => {
    expect(PIXEL_GIF.length).toBe(43);
    expect(PIXEL_GIF.subarray(0, 6).toString('latin1')).toBe('GIF89a');
  });

  it('decodes base64 and base64url JSON objects', () => {
    expect(decodePixelData(b64({ a: 1 }))).toEqual({ ok: true, value: { a: 1 } });
    const url = b64({ q: '??>>' }).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(decodePixelData(url)).toEqual({ ok: true, value: { q: '??>>' } });
  });

  it('says why bad data is refused', () => {
    expect(decodePixelData(undefined)).toEqual({ ok: false, reason: 'data is missing' });
    expect(decodePixelData('%%%')).toEqual({ ok: false, reason: 'data is not base64' });
    expect(decodePixelData(b64([1]))).toEqual({ ok: false, reason: 'data is not a JSON object' });
    expect(decodePixelData(Buffer.from('{nope').toString('base64'))).toEqual({
      ok: false,
      reason: 'data is not base64 JSON',
    });
  });
});
