import type { NextFunction, Request, Response } from 'express';

/**
 * CORS for browser tracking: the allowed origins (or `*`) may POST JSON with Basic auth and
 * gzip (and analytics.js's retry counter); preflights are answered here; a request that names
 * another origin is refused (403), not only left unreadable.
 */
export function cors(origins: readonly string[]) {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origin && (any || allowed.has(origin))) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      if (!any) res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader(
        'Access-Control-Allow-Headers',
        // X-Retry-Count: analytics.js (analytics-next) numbers its retries with it.
        'Authorization, Content-Type, Content-Encoding, X-Retry-Count',
      );
      res.setHeader('Access-Control-Max-Age', '86400');
      // A 429/503's wait, readable by analytics.js (not a CORS-safelisted response header).
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    // A page on another origin can still *send* (sendBeacon, a text/plain POST: no preflight);
    // CORS would only hide the answer from it. Refuse it here, so it is not stored either.
    // Servers, webhooks and mail clients send no Origin and are not affected.
    if (origin && !any && !allowed.has(origin)) {
      res.status(403).json({
        error: 'origin_not_allowed',
        field: 'Origin',
        reason: `${origin} is not in INGEST_CORS_ORIGINS`,
      });
      return;
    }
    next();
  };
}
