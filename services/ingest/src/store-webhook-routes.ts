import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@pulse/core';
import { isRetriable } from '@pulse/core';
import { Router, type Request, type Response } from 'express';
import { readRawBody } from './body';
import type { CategorySynonyms } from './categories';
import type { IngestMetrics } from './ingest-metrics';
import type { OrderBook } from './order-book';
import type { Accepted, Publisher } from './publisher';
import { mapShopify } from './shopify';
import {
  identityFields,
  keptOwner,
  verifyBase64Hmac,
  type StoreCall,
  type StoreMapping,
} from './store-calls';
import { storeSource, type Store, type StorePlatform } from './stores';
import { acceptCall, type CallOptions } from './tracking';
import { header } from './webhook';
import { WEBHOOK_MAX_BYTES } from './webhook-routes';
import { mapWooCommerce } from './woocommerce';

export interface StoreWebhookRoutesOptions {
  stores: readonly Store[];
  publisher: Publisher;
  orders: OrderBook;
  metrics: IngestMetrics;
  logger: Logger;
  clock: Clock;
  maxFutureSkewMs: number;
  maxOrderTotal: number;
  categories: CategorySynonyms;
  retryAfterSeconds?: number;
}

interface PlatformSpec {
  signatureHeader: string;
  topicHeader: string;
  map(topic: string, body: unknown, store: string): StoreMapping;
}

const PLATFORMS: Readonly<Record<StorePlatform, PlatformSpec>> = {
  shopify: {
    signatureHeader: 'x-shopify-hmac-sha256',
    topicHeader: 'x-shopify-topic',
    map: mapShopify,
  },
  woocommerce: {
    signatureHeader: 'x-wc-webhook-signature',
    topicHeader: 'x-wc-webhook-topic',
    map: mapWooCommerce,
  },
};

/** Woo's delivery test when a webhook is saved: a form body, signed like the rest. */
const WOO_PING = /^webhook_id=\d+$/;

type Refused = { refused: true; status: number; body: Record<string, unknown> };

/**
 * `POST /v1/webhooks/shopify/<store>` and `/v1/webhooks/woocommerce/<store>`: verified with the
 * store's secret (base64 HMAC-SHA256 of the raw body; missing or wrong → 401, nothing
 * published), mapped to the tracking API's calls, validated and normalized like them, and
 * published as the source `<platform>:<store>` with the store as order system.
 */
export function storeWebhookRoutes(options: StoreWebhookRoutesOptions): Router {
  const { publisher, orders, metrics, clock, logger } = options;
  const router = Router();

  const send = (res: Response, route: string, status: number, body: unknown) => {
    metrics.requests.inc({ route, status: String(status) });
    res.status(status).json(body);
  };

  /** Owner-less calls get their order's owner, or wait for it; owners are remembered. */
  const resolve = async (store: Store, calls: readonly StoreCall[]) => {
    const ready: Record<string, unknown>[] = [];
    const released: { orderId: string; calls: Record<string, unknown>[] }[] = [];
    let waiting = 0;
    for (const call of calls) {
      if (!call.order) ready.push(call.message);
      else if (call.order.owner) {
        ready.push(call.message);
        const pending = await orders.remember(store.id, call.order.id, call.order.owner);
        // Keyed as a later lookup would key them: the same whichever arrives first.
        const owner = identityFields(keptOwner(call.order.owner));
        const owned = pending.map((m) => ({ ...m, ...owner }));
        if (owned.length > 0) released.push({ orderId: call.order.id, calls: pending });
        ready.push(...owned);
      } else {
        const owner = await orders.ownerOrPark(store.id, call.order.id, call.message);
        if (owner) ready.push({ ...call.message, ...identityFields(keptOwner(owner)) });
        else waiting += 1;
      }
    }
    return { ready, released, waiting };
  };

  const accept = (store: Store, messages: readonly Record<string, unknown>[]) => {
    const callOptions: CallOptions = {
      source: storeSource(store),
      receivedAt: clock.now(),
      maxFutureSkewMs: options.maxFutureSkewMs,
      maxOrderTotal: options.maxOrderTotal,
      categories: options.categories,
      newId: randomUUID,
    };
    const accepted: Accepted[] = [];
    for (const message of messages) {
      const kind = message.type === 'identify' ? 'identify' : 'track';
      const result = acceptCall(message, kind, callOptions);
      if (!result.ok) return { ok: false as const, refusal: result.refusal };
      accepted.push(...result.accepted);
    }
    return { ok: true as const, accepted };
  };

  const verify = (store: Store, spec: PlatformSpec, req: Request, body: Buffer) => {
    const signature = header(req.headers, spec.signatureHeader);
    if (!signature) {
      return { error: 'missing_signature', reason: `${spec.signatureHeader} header missing` };
    }
    // `secret` is set: stores without one have no route (checked by the caller).
    if (!verifyBase64Hmac(store.secret!, body, signature)) {
      return { error: 'invalid_signature', reason: 'signature does not match the body' };
    }
    return undefined;
  };

  router.post('/v1/webhooks/:platform/:store', async (req: Request, res: Response, next) => {
    const platform = String(req.params.platform) as StorePlatform;
    const spec = Object.hasOwn(PLATFORMS, platform) ? PLATFORMS[platform] : undefined;
    if (!spec) return next();
    const route = `/v1/webhooks/${platform}`;
    const store = options.stores.find((s) => s.id === req.params.store && s.platform === platform);
    if (!store?.secret) {
      req.resume();
      return send(res, route, 404, {
        error: 'not_found',
        reason: `no ${platform} store '${String(req.params.store)}' with a secret is configured`,
      });
    }
    const read = await readRawBody(req, 'webhook_size', WEBHOOK_MAX_BYTES);
    if (!read.ok) {
      res.setHeader('Connection', 'close'); // the rest of the body is not read
      const { status, ...problem } = read.problem;
      return send(res, route, status, problem);
    }
    metrics.payloadBytes.observe({ route }, read.bytes.length);
    const bad = verify(store, spec, req, read.bytes);
    if (bad) {
      metrics.rejected.inc({ reason: bad.error });
      return send(res, route, 401, bad);
    }
    const topic = header(req.headers, spec.topicHeader) ?? '';
    const text = read.bytes.toString('utf8');
    if (platform === 'woocommerce' && WOO_PING.test(text.trim())) {
      return send(res, route, 200, { received: 0, ignored: 1 });
    }
    const outcome = await handle(store, spec, topic, text);
    if (outcome.refused) {
      if (outcome.status === 400) {
        metrics.rejected.inc({ reason: String(outcome.body.error) });
        await publisher.reject({
          rejectedAt: clock.now(),
          source: storeSource(store).id,
          reason: String(outcome.body.error),
          problems: [
            { path: String(outcome.body.field ?? ''), message: String(outcome.body.reason) },
          ],
          raw: text,
        });
      }
      if (outcome.status === 503)
        res.setHeader('Retry-After', String(options.retryAfterSeconds ?? 5));
      return send(res, route, outcome.status, outcome.body);
    }
    send(res, route, 200, outcome.counts);
  });

  const handle = async (
    store: Store,
    spec: PlatformSpec,
    topic: string,
    text: string,
  ): Promise<Refused | { refused: false; counts: Record<string, number> }> => {
    const refused = (status: number, body: Record<string, unknown>): Refused => ({
      refused: true,
      status,
      body,
    });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return refused(400, { error: 'invalid_json', reason: String(err) });
    }
    const mapped = spec.map(topic, body, store.id);
    if (!mapped.ok) {
      const { field, reason } = mapped;
      return refused(400, { error: 'invalid_field', field, reason });
    }
    const { ready, released, waiting } = await resolve(store, mapped.calls);
    const accepted = accept(store, ready);
    const putBack = () =>
      Promise.all(released.map((r) => orders.park(store.id, r.orderId, r.calls)));
    if (!accepted.ok) {
      await putBack();
      return refused(400, { ...accepted.refusal.body });
    }
    try {
      const out = await publisher.publish(storeSource(store).id, accepted.accepted);
      const counts = {
        received: accepted.accepted.length,
        ...out,
        waiting,
        ignored: mapped.ignored,
      };
      return { refused: false, counts };
    } catch (err) {
      if (!isRetriable(err)) throw err;
      await putBack().catch(() => undefined);
      logger.warn({ err, store: store.id, topic }, 'store webhook publish failed; answering 503');
      return refused(503, { error: 'unavailable', reason: 'events could not be stored; retry' });
    }
  };
  return router;
}
