import type { Clock, Logger } from '@pulse/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { CategorySynonyms } from './categories';
import { cors } from './cors';
import { emailTrackingRoutes } from './email-tracking';
import type { IngestMetrics } from './ingest-metrics';
import { pixelRoutes } from './pixel';
import type { Publisher } from './publisher';
import { segmentRoutes } from './segment-routes';
import type { SourceDirectory } from './sources';
import type { Deduper } from './dedup';
import type { WebhookProvider } from './webhook';
import { webhookRoutes } from './webhook-routes';
import { importRoutes } from './import-routes';
import { spoolingPublisher, type Spool } from './spool';
import { browserRoutes } from './browser-routes';
import type { OrderBook } from './order-book';
import { storeWebhookRoutes } from './store-webhook-routes';
import type { Store } from './stores';
import { adminRoutes } from './admin-routes';
import type { RateLimiter } from './rate-limit';
import { analyticsJsRoutes, type AnalyticsJsBuild } from './analytics-js';

export interface IngestAppOptions {
  sources: SourceDirectory;
  publisher: Publisher;
  metrics: IngestMetrics;
  logger: Logger;
  clock: Clock;
  corsOrigins: readonly string[];
  emailTrackingSecret: string;
  maxFutureSkewMs: number;
  maxOrderTotal: number;
  /** Canonical product categories (config/categories.yaml). */
  categories: CategorySynonyms;
  /** Configured ESP webhooks, and the claims of their one-time tokens. */
  webhooks?: { providers: readonly WebhookProvider[]; nonces: Deduper };
  /** Where pixel and email-tracking events wait while Kafka is down. */
  spool?: Spool;
  /** Publisher of bulk imports (a long dedup window); without it the import routes are off. */
  importPublisher?: Publisher;
  newId?: () => string;
  /** Stores whose webhooks are served, and the book of their orders' owners. */
  stores?: { stores: readonly Store[]; orders: OrderBook };
  /** host[:port] given to analytics.js as apiHost; default: the request's Host. */
  publicHost?: string | undefined;
  /** Token buckets per writeKey (tracking API and pixel); without it nothing is limited. */
  rateLimiter?: RateLimiter;
  /** Bearer token of /v1/admin/*; unset = the admin API is off. */
  adminToken?: string | undefined;
  /** analytics.js served at Segment's CDN paths (INGEST_ANALYTICS_JS_DIR); unset = not served. */
  analyticsJs?: AnalyticsJsBuild | undefined;
}

/** The ingest HTTP API as an express app (bodies are read by the routes, not by a parser). */
export function createIngestApp(options: IngestAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(cors(options.corsOrigins));
  app.use(segmentRoutes(options));
  app.use(browserRoutes(options));
  if (options.analyticsJs) app.use(analyticsJsRoutes({ ...options, build: options.analyticsJs }));
  // The pixel and email tracking never fail the visitor: they spool while Kafka is down.
  const tolerant = options.spool
    ? spoolingPublisher(options.publisher, options.spool, options.metrics, options.logger)
    : options.publisher;
  app.use(pixelRoutes({ ...options, publisher: tolerant }));
  app.use(
    emailTrackingRoutes({ ...options, publisher: tolerant, secret: options.emailTrackingSecret }),
  );
  if (options.importPublisher) {
    app.use(importRoutes({ ...options, publisher: options.importPublisher }));
  }
  if (options.stores) app.use(storeWebhookRoutes({ ...options, ...options.stores }));
  if (options.webhooks) app.use(webhookRoutes({ ...options, ...options.webhooks }));
  app.use(adminRoutes(options));
  app.use((req: Request, res: Response) => {
    options.metrics.requests.inc({ route: 'unmatched', status: '404' });
    res.status(404).json({ error: 'not_found', reason: `no route ${req.method} ${req.path}` });
  });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    options.logger.error({ err }, 'request failed');
    if (res.headersSent) return next(err);
    options.metrics.requests.inc({ route: 'error', status: '500' });
    res.status(500).json({ error: 'internal', reason: 'the request could not be handled' });
  });
  return app;
}
