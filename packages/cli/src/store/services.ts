import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ServiceProcess } from './supervisor';

/** Where the demo's services run and what they share; one namespace per demo run. */
export interface DemoPlan {
  root: string;
  namespace: string;
  portBase: number;
  stack: { kafkaBrokers: string; schemaRegistryUrl: string; redisUrl: string; smtpUrl: string };
  browserKey: string;
  serverKey: string;
  /** Bearer token of the segmenter's read API (SEGMENTER_ADMIN_TOKEN; the renderer sends it). */
  segmenterToken: string;
  /** Inactivity before a cart counts as abandoned (the demo shortens the product's 30 minutes). */
  cartDelay: string;
  logLevel: string;
}

/** Topic names of one demo run: its own, so a run never reads an earlier run's records. */
export function demoTopics(namespace: string) {
  return {
    events: `${namespace}.events.v1`,
    rejects: `${namespace}.events.rejects.v1`,
    profileChanges: `${namespace}.profile-changes.v1`,
    segmentChanges: `${namespace}.segment-changes.v1`,
    emails: `${namespace}.emails.v1`,
  };
}

export const PORT_OFFSETS = {
  ingest: 0,
  'profile-builder': 2,
  segmenter: 3,
  'cart-abandonment-timer': 4,
  renderer: 5,
} as const;

export type DemoServiceName = keyof typeof PORT_OFFSETS;

/** Every service whose build exists, wired to the run's topics, groups and Redis prefix. */
export function demoServices(plan: DemoPlan): ServiceProcess[] {
  const t = demoTopics(plan.namespace);
  const port = (name: DemoServiceName): number => plan.portBase + PORT_OFFSETS[name];
  const common = {
    KAFKA_BROKERS: plan.stack.kafkaBrokers,
    SCHEMA_REGISTRY_URL: plan.stack.schemaRegistryUrl,
    REDIS_URL: plan.stack.redisUrl,
    REDIS_PREFIX: plan.namespace,
    LOG_LEVEL: plan.logLevel,
    SHUTDOWN_TIMEOUT: '10s',
  };
  const group = (name: string): string => `${plan.namespace}-${name}`;
  const all: (ServiceProcess & { name: DemoServiceName })[] = [
    {
      name: 'ingest',
      entry: 'services/ingest/dist/main.js',
      port: port('ingest'),
      env: {
        ...common,
        INGEST_HTTP_PORT: String(port('ingest')),
        INGEST_HTTP_HOST: '127.0.0.1',
        INGEST_WRITE_KEYS: `web:${plan.browserKey}:browser,shop:${plan.serverKey}:server`,
        INGEST_EVENTS_TOPIC: t.events,
        INGEST_REJECTS_TOPIC: t.rejects,
        INGEST_PROFILE_CHANGES_TOPIC: t.profileChanges,
        INGEST_ERASURE_GROUP_ID: group('ingest-erasure'),
        INGEST_CATEGORIES_FILE: path.join(plan.root, 'config', 'categories.yaml'),
      },
    },
    {
      name: 'profile-builder',
      entry: 'services/profile-builder/dist/main.js',
      port: port('profile-builder'),
      env: {
        ...common,
        PROFILE_BUILDER_HTTP_PORT: String(port('profile-builder')),
        PROFILE_BUILDER_HTTP_HOST: '127.0.0.1',
        PROFILE_KEY_PREFIX: `${plan.namespace}:profile`,
        PROFILE_GROUP_ID: group('profile-builder'),
        PROFILE_EVENTS_TOPIC: t.events,
        PROFILE_CHANGES_TOPIC: t.profileChanges,
        PROFILE_FROM_BEGINNING: 'true',
        PROFILE_SEGMENTS_DIR: path.join(plan.root, 'config', 'segments'),
        // the read API is closed without a token; the demo's callers (renderer, summary) are local
        PROFILE_ADMIN_OPEN_LOOPBACK: '1',
      },
    },
    {
      name: 'segmenter',
      entry: 'services/segmenter/dist/main.js',
      port: port('segmenter'),
      env: {
        ...common,
        SEGMENTER_HTTP_PORT: String(port('segmenter')),
        SEGMENTER_HTTP_HOST: '127.0.0.1',
        SEGMENTER_GROUP_ID: group('segmenter'),
        SEGMENTER_PROFILE_CHANGES_TOPIC: t.profileChanges,
        SEGMENTER_SEGMENT_CHANGES_TOPIC: t.segmentChanges,
        SEGMENTER_SEGMENTS_DIR: path.join(plan.root, 'config', 'segments'),
        SEGMENTER_TIMER_POLL: '250ms',
        SEGMENTER_ADMIN_TOKEN: plan.segmenterToken,
        SEGMENTER_PROFILE_KEY_PREFIX: `${plan.namespace}:profile`,
      },
    },
    {
      name: 'cart-abandonment-timer',
      entry: 'services/cart-abandonment-timer/dist/main.js',
      port: port('cart-abandonment-timer'),
      env: {
        ...common,
        CART_ABANDONMENT_TIMER_HTTP_PORT: String(port('cart-abandonment-timer')),
        CART_ABANDONMENT_TIMER_HTTP_HOST: '127.0.0.1',
        CART_TIMER_EVENTS_TOPIC: t.events,
        CART_TIMER_GROUP_ID: group('cart-abandonment-timer'),
        CART_TIMER_STAGES: plan.cartDelay,
        CART_TIMER_POLL: '250ms',
      },
    },
    {
      name: 'renderer',
      entry: 'services/renderer/dist/main.js',
      port: port('renderer'),
      env: {
        ...common,
        RENDERER_HTTP_PORT: String(port('renderer')),
        RENDERER_HTTP_HOST: '127.0.0.1',
        SMTP_URL: plan.stack.smtpUrl,
        RENDERER_PROFILE_URL: `http://127.0.0.1:${port('profile-builder')}`,
        RENDERER_SEGMENTER_URL: `http://127.0.0.1:${port('segmenter')}`,
        SEGMENTER_ADMIN_TOKEN: plan.segmenterToken,
        RENDERER_CONFIG_DIR: path.join(plan.root, 'config'),
        RENDERER_GROUP_ID: group('renderer'),
        RENDERER_SEGMENT_CHANGES_TOPIC: t.segmentChanges,
        RENDERER_EVENTS_TOPIC: t.events,
        RENDERER_EMAILS_TOPIC: t.emails,
        RENDERER_PROFILE_CHANGES_TOPIC: t.profileChanges,
        RENDERER_ERASURE_GROUP_ID: group('renderer-erasure'),
        RENDERER_ATTRIBUTION_GROUP_ID: group('renderer-attribution'),
        RENDERER_ATTRIBUTION_FROM_BEGINNING: 'true',
        RENDERER_PUBLIC_URL: `http://127.0.0.1:${port('renderer')}`,
      },
    },
  ];
  return all
    .filter((s) => existsSync(path.join(plan.root, s.entry)))
    .map((s) => ({ ...s, entry: path.join(plan.root, s.entry) }));
}
