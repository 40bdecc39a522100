import type { Clock, Logger } from '@pulse/core';
import { isRetriable } from '@pulse/core';
import { Router, type Request, type Response } from 'express';
import { readRawBody } from './body';
import type { Deduper } from './dedup';
import { toPulseEvent } from './esp-events';
import type { IngestMetrics } from './ingest-metrics';
import type { Accepted, Publisher } from './publisher';
import type { WebhookProvider, WebhookRefusal } from './webhook';

/** Largest webhook body read (SendGrid batches many events into one POST). */
export const WEBHOOK_MAX_BYTES = 5 * 1024 * 1024;

export interface WebhookRoutesOptions {
  /** The configured providers; others answer 404. */
  providers: readonly WebhookProvider[];
  publisher: Publisher;
  /** Claims one-time tokens (Mailgun's), so a replayed request is refused. */
  nonces: Deduper;
  metrics: IngestMetrics;
  logger: Logger;
  clock: Clock;
  retryAfterSeconds?: number;
}

/**
 * `POST /v1/webhooks/<provider>`: verified against the raw body bytes, mapped to email events
 * and published deduplicated on the provider's event id. Refusals are 401/403 (auth) or 400
 * (body) naming why; a 503 makes the provider retry.
 */
export function webhookRoutes(options: WebhookRoutesOptions): Router {
  const { publisher, metrics, clock, logger } = options;
  const byName = new Map(options.providers.map((p) => [p.name, p]));
  const router = Router();

  const send = (res: Response, route: string, status: number, body: unknown) => {
    metrics.requests.inc({ route, status: String(status) });
    res.status(status).json(body);
  };

  const refuse = async (
    res: Response,
    route: string,
    provider: string,
    r: WebhookRefusal,
    raw: Buffer,
  ) => {
    const { status, ...body } = r;
    metrics.rejected.inc({ reason: r.error });
    if (status === 400) {
      // Authenticated but malformed: kept on the rejects topic for a look.
      await publisher.reject({
        rejectedAt: clock.now(),
        source: provider,
        reason: r.error,
        problems: [{ path: r.field ?? '', message: r.reason }],
        raw: raw.toString('utf8'),
      });
    }
    send(res, route, status, body);
  };

  router.post('/v1/webhooks/:provider', async (req: Request, res: Response) => {
    const name = String(req.params.provider);
    const route = `/v1/webhooks/${byName.has(name) ? name : 'unknown'}`;
    const provider = byName.get(name);
    if (!provider) {
      req.resume();
      return send(res, route, 404, {
        error: 'not_found',
        reason: `no webhook '${name}' is configured`,
      });
    }
    const read = await readRawBody(req, 'webhook_size', WEBHOOK_MAX_BYTES);
    if (!read.ok) {
      res.setHeader('Connection', 'close'); // the rest of the body is not read
      const { status, ...problem } = read.problem;
      return send(res, route, status, problem);
    }
    metrics.payloadBytes.observe({ route }, read.bytes.length);
    const now = clock.now();
    const result = await provider.handle({ headers: req.headers, body: read.bytes, now });
    if (!result.ok) return refuse(res, route, name, result.refusal, read.bytes);
    const accepted: Accepted[] = [];
    for (const input of result.events) {
      const event = toPulseEvent(input, now);
      if (!event.ok) {
        const { code, field, reason } = event.problem;
        return refuse(
          res,
          route,
          name,
          { status: 400, error: 'invalid_field', field, reason: `${reason} (${code})` },
          read.bytes,
        );
      }
      accepted.push({ event: event.value, dedup: true });
    }
    if (result.nonce !== undefined) {
      const [fresh] = await options.nonces.claim(`${name}-token`, [result.nonce]);
      if (fresh === false) {
        return refuse(
          res,
          route,
          name,
          { status: 403, error: 'replayed_token', reason: 'this token was used before' },
          read.bytes,
        );
      }
    }
    if (result.notice) {
      logger.warn(
        { provider: name, ...result.notice },
        'webhook needs an operator: confirm the subscription',
      );
      return send(res, route, 200, { received: 0, notice: result.notice });
    }
    try {
      const outcome = await publisher.publish(name, accepted);
      send(res, route, 200, { received: accepted.length, ...outcome, ignored: result.ignored });
    } catch (err) {
      if (!isRetriable(err)) throw err;
      if (result.nonce !== undefined) {
        await options.nonces.release(`${name}-token`, [result.nonce]).catch(() => undefined);
      }
      logger.warn({ err, route }, 'webhook publish failed; answering 503');
      res.setHeader('Retry-After', String(options.retryAfterSeconds ?? 5));
      send(res, route, 503, { error: 'unavailable', reason: 'events could not be stored; retry' });
    }
  });
  return router;
}
