import { randomUUID } from 'node:crypto';
import { EVENT_TYPES } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import { Router, type Request, type Response } from 'express';
import { emailEvent } from './email-event';
import { verifyEmailToken, type EmailTokenClaims } from './email-token';
import type { IngestMetrics } from './ingest-metrics';
import { NO_CACHE_HEADERS, PIXEL_GIF } from './pixel';
import type { Publisher } from './publisher';

export interface EmailTrackingOptions {
  secret: string;
  publisher: Publisher;
  metrics: IngestMetrics;
  logger: Logger;
  clock: Clock;
  newId?: () => string;
}

/** Proxies and scanners that fetch images or links without a person: flagged, not dropped. */
const MACHINE_AGENTS =
  /GoogleImageProxy|YahooMailProxy|Barracuda|Proofpoint|Mimecast|bot|crawler|preview/i;

/** Apple Mail Privacy Protection fetches with a bare `Mozilla/5.0` user agent. */
export function looksAutomated(method: string, userAgent: string | undefined): boolean {
  if (method === 'HEAD') return true;
  if (!userAgent) return true;
  return userAgent.trim() === 'Mozilla/5.0' || MACHINE_AGENTS.test(userAgent);
}

const SOURCE = 'email-tracking';

/**
 * `GET /v1/email/open/<token>` (GIF) and `GET /v1/email/click/<token>` (302 to the token's URL)
 * with HMAC-signed tokens; a click never redirects anywhere but inside a valid token.
 */
export function emailTrackingRoutes(options: EmailTrackingOptions): Router {
  const { publisher, metrics, clock } = options;
  const newId = options.newId ?? randomUUID;
  const router = Router();

  const publish = (req: Request, type: string, claims: EmailTokenClaims) => {
    const now = clock.now();
    const event = emailEvent({
      id: newId(),
      type,
      source: SOURCE,
      occurredAt: now,
      receivedAt: now,
      userId: claims.p,
      email: null,
      payload: {
        provider: 'pulse',
        send_id: claims.s,
        campaign_id: claims.c,
        variant: claims.v ?? null,
        url: claims.u ?? null,
        suspected_machine: looksAutomated(req.method, req.headers['user-agent']),
      },
    });
    return publisher.publish(SOURCE, [{ event, dedup: false }]);
  };

  router.get('/v1/email/open/:token', async (req: Request, res: Response) => {
    const token = String(req.params.token).replace(/\.gif$/, '');
    const claims = verifyEmailToken(options.secret, token);
    try {
      if (claims) await publish(req, EVENT_TYPES.emailOpened, claims);
      else metrics.rejected.inc({ reason: 'bad_token' });
    } catch (err) {
      metrics.rejected.inc({ reason: 'unavailable' });
      options.logger.warn({ err }, 'email open could not be published');
    }
    metrics.requests.inc({ route: '/v1/email/open', status: '200' });
    res.status(200).set(NO_CACHE_HEADERS).send(PIXEL_GIF);
  });

  router.get('/v1/email/click/:token', async (req: Request, res: Response) => {
    const claims = verifyEmailToken(options.secret, String(req.params.token));
    if (!claims?.u) {
      metrics.rejected.inc({ reason: 'bad_token' });
      metrics.requests.inc({ route: '/v1/email/click', status: '400' });
      res.status(400).json({ error: 'invalid_token', reason: 'the link is not valid' });
      return;
    }
    try {
      await publish(req, EVENT_TYPES.emailLinkClicked, claims);
    } catch (err) {
      // The reader still gets to the link; the click is counted as lost.
      metrics.rejected.inc({ reason: 'unavailable' });
      options.logger.warn({ err }, 'email click could not be published');
    }
    metrics.requests.inc({ route: '/v1/email/click', status: '302' });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, claims.u);
  });
  return router;
}
