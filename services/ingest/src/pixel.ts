import { randomUUID } from 'node:crypto';
import type { EventReject } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import { Router, type Request, type Response } from 'express';
import type { CategorySynonyms } from './categories';
import type { IngestMetrics } from './ingest-metrics';
import type { Publisher } from './publisher';
import { admit, type RateLimiter } from './rate-limit';
import { SEGMENT_KINDS, type SegmentKind } from './segment-schema';
import type { SourceDirectory } from './sources';
import { acceptCall } from './tracking';

/** The 43-byte transparent 1×1 GIF every pixel request gets back. */
export const PIXEL_GIF = Buffer.from(
  'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==',
  'base64',
);

export const NO_CACHE_HEADERS = {
  'Content-Type': 'image/gif',
  'Cache-Control': 'no-store, no-cache, must-revalidate, proxy-revalidate',
  Pragma: 'no-cache',
  Expires: '0',
} as const;

/** Longest `data` parameter read (a pixel URL is bounded by browsers anyway). */
const MAX_DATA_CHARS = 64 * 1024;

export interface PixelRoutesOptions {
  sources: SourceDirectory;
  publisher: Publisher;
  metrics: IngestMetrics;
  logger: Logger;
  clock: Clock;
  maxFutureSkewMs: number;
  maxOrderTotal: number;
  /** Canonical product categories (config/categories.yaml). */
  categories: CategorySynonyms;
  newId?: () => string;
  /** Token buckets per writeKey; events over the limit are counted, not published. */
  rateLimiter?: RateLimiter;
}

type Decoded = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

/** `data` is base64 (or base64url) of a JSON object. */
export function decodePixelData(data: unknown): Decoded {
  if (typeof data !== 'string' || data === '') return { ok: false, reason: 'data is missing' };
  if (data.length > MAX_DATA_CHARS) return { ok: false, reason: 'data is too long' };
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(data)) return { ok: false, reason: 'data is not base64' };
  try {
    const value: unknown = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, reason: 'data is not a JSON object' };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'data is not base64 JSON' };
  }
}

/**
 * `GET /v1/pixel/<type>?data=<base64 JSON>` for pages that cannot run scripts. The answer is
 * always 200 with the GIF: bad input is counted and sent to the rejects topic instead.
 */
export function pixelRoutes(options: PixelRoutesOptions): Router {
  const { publisher, metrics, clock } = options;
  const router = Router();
  const newId = options.newId ?? randomUUID;

  const reject = (source: string, reason: string, field: string, message: string, raw: string) => {
    const record: EventReject = {
      rejectedAt: clock.now(),
      source,
      reason,
      problems: [{ path: field, message }],
      raw,
    };
    return publisher.reject(record);
  };

  const track = async (req: Request): Promise<void> => {
    const type = String(req.params.type);
    const raw = typeof req.query.data === 'string' ? req.query.data : '';
    if (!SEGMENT_KINDS.includes(type as SegmentKind)) {
      return reject(
        'unknown',
        'invalid_field',
        'type',
        `must be one of ${SEGMENT_KINDS.join(', ')}`,
        raw,
      );
    }
    const decoded = decodePixelData(req.query.data);
    if (!decoded.ok) return reject('unknown', 'invalid_field', 'data', decoded.reason, raw);
    const writeKey = decoded.value.writeKey;
    const source = options.sources.authenticate(
      typeof writeKey === 'string' ? writeKey : undefined,
    );
    if (!source)
      return reject('unknown', 'unauthorized', 'writeKey', 'unknown or missing writeKey', raw);
    const receivedAt = clock.now();
    // Over the limit the pixel still answers its GIF (it never fails the page) but publishes
    // nothing; like the API's 429s, these are counted, not copied to the rejects topic.
    const rate = await admit(options.rateLimiter, source, 1, receivedAt, options.logger);
    if (!rate.ok) {
      metrics.rejected.inc({ reason: 'rate_limited' });
      return;
    }
    const result = acceptCall(decoded.value, type as SegmentKind, {
      source,
      receivedAt,
      requestIp: req.ip,
      maxFutureSkewMs: options.maxFutureSkewMs,
      maxOrderTotal: options.maxOrderTotal,
      categories: options.categories,
      newId,
    });
    if (!result.ok) {
      const { error, field = '', reason } = result.refusal.body;
      return reject(source.id, error, field, reason, JSON.stringify(decoded.value));
    }
    await publisher.publish(source.id, result.accepted);
  };

  router.get('/v1/pixel/:type', async (req: Request, res: Response) => {
    try {
      await track(req);
    } catch (err) {
      // The pixel never breaks the page: a lost event is logged and counted, not answered.
      metrics.rejected.inc({ reason: 'unavailable' });
      options.logger.warn({ err }, 'pixel event could not be published');
    }
    metrics.requests.inc({ route: '/v1/pixel', status: '200' });
    res.status(200).set(NO_CACHE_HEADERS).send(PIXEL_GIF);
  });
  return router;
}
