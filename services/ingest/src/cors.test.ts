import { describe, expect, it } from '@jest/globals';
import type { Request, Response } from 'express';
import { cors } from './cors';

/** Runs the middleware on a bare request; returns the headers set and whether it went on. */
function run(origins: string[], method: string, origin?: string) {
  const headers: Record<string, string> = {};
  let status: number | undefined;
  let body: unknown;
  const res = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    status: (code: number) => ((status = code), res),
    end: () => undefined,
    json: (value: unknown) => ((body = value), undefined),
  };
  let next = false;
  // Only the fields the middleware reads: a full express request/response is not needed.
  const req = { method, headers: origin ? { origin } : {} } as unknown as Request;
  cors(origins)(req, res as unknown as Response, () => (next = true));
  return { headers, status, next, body };
}

describe('cors', () => {
  it('answers an allowed origin’s preflight with what analytics.js sends and reads', () => {
    const { headers, status, next } = run(['https://shop.test'], 'OPTIONS', 'https://shop.test');
    expect(status).toBe(204);
    expect(next).toBe(false);
    expect(headers['access-control-allow-origin']).toBe('https://shop.test');
    expect(headers['vary']).toBe('Origin');
    expect(headers['access-control-allow-headers']).toMatch(/Authorization.*X-Retry-Count/);
    expect(headers['access-control-expose-headers']).toBe('Retry-After');
  });

  it('refuses another origin’s requests outright: a beacon needs no preflight', () => {
    const { headers, next, status, body } = run(['https://shop.test'], 'POST', 'https://evil.test');
    expect(headers['access-control-allow-origin']).toBeUndefined();
    expect(next).toBe(false);
    expect(status).toBe(403);
    expect(body).toMatchObject({ error: 'origin_not_allowed', field: 'Origin' });
  });

  it('passes on requests without an Origin (servers, webhooks, mail clients) and with `*`', () => {
    expect(run(['https://shop.test'], 'POST').next).toBe(true);
    expect(run(['*'], 'POST', 'https://any.test').next).toBe(true);
  });
});
