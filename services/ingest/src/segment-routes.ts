import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@pulse/core';
import { isRetriable } from '@pulse/core';
import { Router, type Request, type Response } from 'express';
import type { CategorySynonyms } from './categories';
import { LIMITS, parseJson, readBody } from './body';
import type { IngestMetrics } from './ingest-metrics';
import type { Publisher } from './publisher';
import { admit, rateLimitedBody, retryAfterSeconds, type RateLimiter } from './rate-limit';
import { SEGMENT_KINDS, type SegmentKind } from './segment-schema';
import { writeKeyFromAuthorization, type Source, type SourceDirectory } from './sources';
import { acceptBatch, acceptCall, type CallResult, type Refusal } from './tracking';

export interface SegmentRoutesOptions {
  sources: SourceDirectory;
  publisher: Publisher;
  metrics: IngestMetrics;
  logger: Logger;
  clock: Clock;
  maxFutureSkewMs: number;
  maxOrderTotal: number;
  /** Canonical product categories (config/categories.yaml). */
  categories: CategorySynonyms;
  /** Token buckets per writeKey (config/sources.yaml rates); without it nothing is limited. */
  rateLimiter?: RateLimiter;
  /** Seconds a client should wait after a 503; default 5. */
  retryAfterSeconds?: number;
  newId?: () => string;
}

const SHORT_PATHS: Readonly<Record<string, SegmentKind | 'batch'>> = {
  t: 'track',
  p: 'page',
  i: 'identify',
  g: 'group',
  a: 'alias',
  s: 'screen',
  b: 'batch',
};

function bodyWriteKey(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const key = (body as { writeKey?: unknown }).writeKey;
  return typeof key === 'string' ? key : undefined;
}

/** Events a request carries, for the rate limit: a batch's items, else one. */
function eventCount(body: unknown, kind: SegmentKind | 'batch'): number {
  if (kind !== 'batch' || body === null || typeof body !== 'object') return 1;
  const batch = (body as { batch?: unknown }).batch;
  return Array.isArray(batch) ? batch.length : 1;
}

function send(res: Response, status: number, body: unknown, route: string, metrics: IngestMetrics) {
  metrics.requests.inc({ route, status: String(status) });
  res.status(status).json(body);
}

/** `POST /v1/identify|track|page|screen|group|alias|batch`: the Segment HTTP Tracking API. */
export function segmentRoutes(options: SegmentRoutesOptions): Router {
  const { sources, publisher, metrics, clock } = options;
  const router = Router();
  const newId = options.newId ?? randomUUID;

  const handle = async (req: Request, res: Response, kind: SegmentKind | 'batch') => {
    const route = `/v1/${kind}`;
    const limit = kind === 'batch' ? 'batch_size' : 'event_size';
    const read = await readBody(
      req,
      limit,
      kind === 'batch' ? LIMITS.batchBytes : LIMITS.eventBytes,
    );
    if (!read.ok) {
      // The rest of the body was not read: close the connection after answering instead of
      // reading (and discarding) whatever the sender still has.
      res.setHeader('Connection', 'close');
      const { status, ...problem } = read.problem;
      return send(res, status, problem, route, metrics);
    }
    metrics.payloadBytes.observe({ route }, Buffer.byteLength(read.text));
    const json = parseJson(read.text);
    if (!json.ok) {
      const { status, ...problem } = json.problem;
      return send(res, status, problem, route, metrics);
    }
    const writeKey =
      writeKeyFromAuthorization(req.headers.authorization) ?? bodyWriteKey(json.value);
    const source = sources.authenticate(writeKey);
    if (!source) {
      metrics.rejected.inc({ reason: 'unauthorized' });
      const reason = writeKey ? 'unknown writeKey' : 'writeKey missing (Basic auth user or body)';
      return send(res, 401, { error: 'unauthorized', reason }, route, metrics);
    }
    const receivedAt = clock.now();
    const cost = eventCount(json.value, kind);
    const rate = await admit(options.rateLimiter, source, cost, receivedAt, options.logger);
    if (!rate.ok) {
      // Not sent to the rejects topic: a flood would be copied into Kafka one for one.
      metrics.rejected.inc({ reason: 'rate_limited' }, cost);
      res.setHeader('Retry-After', String(retryAfterSeconds(rate.retryAfterMs)));
      return send(res, 429, rateLimitedBody(source, rate.retryAfterMs), route, metrics);
    }
    const callOptions = {
      source,
      receivedAt,
      requestIp: req.ip,
      maxFutureSkewMs: options.maxFutureSkewMs,
      maxOrderTotal: options.maxOrderTotal,
      categories: options.categories,
      newId,
    };
    const result: CallResult =
      kind === 'batch'
        ? acceptBatch(json.value, callOptions)
        : acceptCall(json.value, kind, callOptions);
    if (!result.ok) {
      await refuse(publisher, source, receivedAt, result.refusal, read.text);
      return send(res, result.refusal.status, result.refusal.body, route, metrics);
    }
    try {
      await publisher.publish(source.id, result.accepted);
    } catch (err) {
      options.logger.warn({ err, route }, 'publish failed; answering 503');
      if (!isRetriable(err)) throw err;
      res.setHeader('Retry-After', String(options.retryAfterSeconds ?? 5));
      return send(
        res,
        503,
        { error: 'unavailable', reason: 'events could not be stored; retry' },
        route,
        metrics,
      );
    }
    send(res, 200, { success: true }, route, metrics);
  };

  for (const kind of [...SEGMENT_KINDS, 'batch'] as const) {
    router.post(`/v1/${kind}`, (req, res) => handle(req, res, kind));
  }
  // analytics.js (analytics-next) posts to one-letter paths: /v1/t, /v1/p, /v1/i, ... /v1/b.
  for (const [short, kind] of Object.entries(SHORT_PATHS)) {
    router.post(`/v1/${short}`, (req, res) => handle(req, res, kind));
  }
  return router;
}

function refuse(
  publisher: Publisher,
  source: Source,
  rejectedAt: number,
  refusal: Refusal,
  raw: string,
): Promise<void> {
  const { field, reason, error } = refusal.body;
  return publisher.reject({
    rejectedAt,
    source: source.id,
    reason: error,
    problems: field === undefined ? [] : [{ path: field, message: reason }],
    raw,
  });
}
