import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { silentLogger } from '@pulse/core';
import type { Clock } from '@pulse/core';
import { createKeyspace } from '@pulse/redis';
import type { Redis } from '@pulse/redis';
import { createCampaignControls } from '../src/campaign-controls';
import { ESP_TAG_FORMATS } from '../src/esp-tags';
import { rendererKeys } from '../src/keys';
import type { RendererKeys } from '../src/keys';
import type { MembershipSource } from '../src/eligibility';
import { staticContent } from '../src/live-config';
import type { ContentSource } from '../src/live-config';
import { loadRendererConfig } from '../src/load-config';
import type { Mailer } from '../src/mailer';
import type { OutcomeObserver } from '../src/outcome-observer';
import { createHttpProfileSource } from '../src/profile-source';
import { createRenderer } from '../src/renderer';
import type { HoldScheduler, Renderer, TriggerIn } from '../src/renderer';
import { createSendLedger } from '../src/send-ledger';
import { createSuppressionStore } from '../src/suppression';
import { createSuppressionList } from '../src/suppression-list';
import type { TrackingConfig } from '../src/tracking';

/** The shipped config folder (templates, campaigns, catalog). */
export const CONFIG_DIR = path.resolve(__dirname, '../../../config');

/** A profile builder stand-in: serves `GET /v1/profiles/:id` from a map the test fills. */
export async function startProfileServer(
  profiles: Record<string, unknown>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').replace('/v1/profiles/', ''));
    const p = profiles[id];
    res.writeHead(p ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(p ?? { error: 'unknown_customer' }));
  });
  return listen(server);
}

/** Serves a request handler on a random local port. */
export async function startHttp(
  handler: RequestListener,
): Promise<{ url: string; close: () => Promise<void> }> {
  return listen(createServer(handler));
}

async function listen(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A profile the shipped templates render fully for. */
export function profileFor(
  customerId: string,
  email: string,
  traits: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    customerId,
    identities: { emails: [email] },
    // US: an opt-out consent regime (config/consent.yaml), so no recorded consent is needed.
    traits: { first_name: 'Maya', timezone: 'UTC', locale: 'en-US', country: 'US', ...traits },
    purchases: { orders: 2, products: [], categories: {} },
    browsing: { categories: {} },
    email: { unsubscribed: false, hardBounces: 0, complaints: 0 },
    derived: { productsViewedLast24h: [], categoryAffinity: [], email: { openRate: 0.2 } },
  };
}

/**
 * The campaign-safety dependencies over real Redis: controls, imported lists, all ESP tags;
 * membership is not re-checked unless a test passes a source.
 */
export function safetyOptions(redis: Redis, keys: RendererKeys) {
  return {
    suppressionList: createSuppressionList(redis, keys),
    controls: createCampaignControls(redis, keys),
    memberships: null,
    espTags: ESP_TAG_FORMATS,
    pauseRecheckMs: 3_600_000,
  };
}

/** Options of {@link testRenderer}: what a test varies, the rest is fixed. */
export interface TestRendererOptions {
  redis: Redis;
  prefix: string;
  profileUrl: string;
  mailer: Mailer;
  clock: Clock;
  tracking?: TrackingConfig | null;
  owner?: string;
  /** Metrics and live attribution (outcome-observer.ts); none by default. */
  observe?: OutcomeObserver;
  /** Where held emails wait; default: nowhere (a test that holds nothing). */
  holds?: HoldScheduler;
  /** Default: the shipped config folder. */
  content?: ContentSource;
  /** Segment membership at send time; default: not re-checked. */
  memberships?: MembershipSource;
}

/** A renderer over the shipped config with real Redis send records; nothing held unless `holds`. */
export function testRenderer(o: TestRendererOptions): Renderer {
  const keys = rendererKeys(createKeyspace(o.prefix.replace(/:$/, '')));
  return createRenderer({
    content: o.content ?? staticContent(loadRendererConfig(CONFIG_DIR)),
    profiles: createHttpProfileSource({ baseUrl: o.profileUrl }),
    ledger: createSendLedger({ redis: o.redis, keys, leaseMs: 30_000, ttlMs: 3_600_000 }),
    suppressions: createSuppressionStore(o.redis, keys),
    ...safetyOptions(o.redis, keys),
    ...(o.memberships ? { memberships: o.memberships } : {}),
    mailer: o.mailer,
    tracking: o.tracking ?? null,
    holds: o.holds ?? { schedule: async () => 'created' },
    clock: o.clock,
    logger: silentLogger(),
    owner: o.owner ?? 'test',
    leaseMs: 30_000,
    globalCap: { max: 100, perMs: 86_400_000 },
    unsubscribe: { secret: 'unsub-secret', baseUrl: 'https://shop.example.com', mailto: null },
    messageIdDomain: 'mail.shop.example.com',
    brand: 'Shop',
    shopUrl: 'https://shop.example.com',
    ...(o.observe ? { observe: o.observe } : {}),
  });
}

/** An `entered engaged` trigger (engaged-preview campaign: marketing, no delay/quiet hours). */
export const enteredEngaged = (customerId: string, id: string, at: number): TriggerIn => ({
  id,
  customerId,
  at,
  segment: { id: 'engaged', change: 'entered' },
});
