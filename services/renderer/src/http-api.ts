import type { IncomingMessage, ServerResponse } from 'node:http';
import { wrapPayload } from '@pulse/contracts';
import type { PulseEvent } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import { adminRefusal, isAdminPath } from './admin-api';
import { parsePreviewRequest } from './preview';
import type { Previewer } from './preview';
import type { SuppressionStore } from './suppression';
import { verifyUnsubscribe } from './unsubscribe';

export interface UnsubscribeApiOptions {
  secret: string;
  suppressions: SuppressionStore;
  /** Publishes the Unsubscribed event (events.v1); resolves once acked. */
  publish: (event: PulseEvent) => Promise<void>;
  clock: Clock;
  logger: Logger;
}

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body style="font-family:Arial,sans-serif;max-width:480px;margin:40px auto">${body}</body></html>`;

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

/** The Email Unsubscribed event the endpoint publishes (provider `pulse-unsubscribe`). */
export function unsubscribedEvent(
  customerId: string,
  campaignId: string,
  emailId: string,
  at: number,
): PulseEvent {
  return {
    id: `unsub:${emailId}`,
    type: 'Email Unsubscribed',
    kind: 'track',
    source: 'pulse-unsubscribe',
    occurredAt: at,
    receivedAt: at,
    userId: customerId,
    anonymousId: null,
    email: null,
    context: {
      page: null,
      userAgent: null,
      ip: null,
      locale: null,
      timezone: null,
      campaign: null,
    },
    payload: wrapPayload('EmailPayload', {
      send_id: emailId,
      message_id: null,
      campaign_id: campaignId,
      variant: null,
      provider: 'pulse-unsubscribe',
      provider_event_id: null,
      url: null,
      bounce_type: null,
      reason: 'one-click unsubscribe',
      suspected_machine: null,
    }),
  };
}

/**
 * RFC 8058 one-click unsubscribe: `POST /v1/unsubscribe?t=<signed token>` unsubscribes with no
 * cookie or login (body `List-Unsubscribe=One-Click`), records it and publishes the event; `GET`
 * shows a confirmation page whose button POSTs (link scanners never unsubscribe anyone).
 */
export function createUnsubscribeHandler(options: UnsubscribeApiOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/v1/unsubscribe')
      return send(res, 404, page('Not found', '<p>Not found.</p>'));
    const token = url.searchParams.get('t') ?? '';
    const claim = verifyUnsubscribe(options.secret, token);
    if (!claim)
      return send(res, 400, page('Invalid link', '<p>This unsubscribe link is not valid.</p>'));
    if (req.method === 'GET') {
      return send(
        res,
        200,
        page(
          'Unsubscribe',
          `<p>Stop marketing emails to this address?</p><form method="post" action="/v1/unsubscribe?t=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
        ),
      );
    }
    if (req.method !== 'POST')
      return send(res, 405, page('Not allowed', '<p>Use GET or POST.</p>'));
    req.resume();
    req.on('end', () => {
      const at = options.clock.now();
      options.suppressions
        .unsubscribe(claim.customerId, at)
        .then(() =>
          options.publish(unsubscribedEvent(claim.customerId, claim.campaignId, claim.emailId, at)),
        )
        .then(() =>
          send(
            res,
            200,
            page(
              'Unsubscribed',
              '<p>You are unsubscribed. You will not get marketing emails from us any more.</p>',
            ),
          ),
        )
        .catch((err: unknown) => {
          options.logger.error({ err }, 'unsubscribe failed');
          send(res, 503, page('Try again', '<p>Something went wrong; please try again.</p>'));
        });
    });
  };
}

export interface HttpApiOptions {
  unsubscribe: (req: IncomingMessage, res: ServerResponse) => void;
  /** Campaign controls and suppression imports (admin-api.ts). */
  admin?: (req: IncomingMessage, res: ServerResponse) => void;
  preview: Previewer;
  /** Bearer token `POST /v1/preview` needs (DESIGN decision 10); empty: preview is closed. */
  adminToken: string;
  logger: Logger;
}

const MAX_PREVIEW_BODY = 1_048_576;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PREVIEW_BODY) throw new Error('body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The renderer's HTTP API: `/v1/unsubscribe` (RFC 8058, no auth: the link is signed),
 * `POST /v1/preview` (admin token) → `{ subject, preheader, html, text, variant, ... }`, and the
 * admin routes of admin-api.ts (campaign controls, suppression imports).
 */
export function createRendererHttpHandler(options: HttpApiOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.admin && isAdminPath(url.pathname)) return options.admin(req, res);
    if (url.pathname !== '/v1/preview') return options.unsubscribe(req, res);
    if (req.method !== 'POST')
      return json(res, 405, { error: 'method_not_allowed', message: 'use POST' });
    const refused = adminRefusal(req, options.adminToken);
    if (refused) {
      req.resume();
      return json(res, refused.status, refused.body);
    }
    readJson(req)
      .then(
        async (body) => {
          const parsed = parsePreviewRequest(body);
          if (typeof parsed === 'string')
            return json(res, 400, { error: 'bad_request', message: parsed });
          const result = await options.preview(parsed);
          if (!result.ok)
            return json(res, result.status, { error: result.error, message: result.message });
          const { campaignId, customerId, variant, from, subject, preheader, html, text } = result;
          return json(res, 200, {
            campaignId,
            customerId,
            variant,
            from,
            subject,
            preheader,
            html,
            text,
          });
        },
        (err: unknown) => json(res, 400, { error: 'bad_request', message: `body: ${String(err)}` }),
      )
      .catch((err: unknown) => {
        options.logger.error({ err }, 'preview failed');
        json(res, 503, { error: 'unavailable', message: 'profile read failed; try again' });
      });
  };
}
