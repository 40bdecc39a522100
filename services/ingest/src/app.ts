import type { Clock, Logger } from '@pulse/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { cors } from './cors';
import { emailTrackingRoutes } from './email-tracking';
import type { IngestMetrics } from './ingest-metrics';
import { pixelRoutes } from './pixel';
import type { Publisher } from './publisher';
import { segmentRoutes } from './segment-routes';
import type { SourceDirectory } from './sources';

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
  newId?: () => string;
}

/** The ingest HTTP API as an express app (bodies are read by the routes, not by a parser). */
export function createIngestApp(options: IngestAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(cors(options.corsOrigins));
  app.use(segmentRoutes(options));
  app.use(pixelRoutes(options));
  app.use(emailTrackingRoutes({ ...options, secret: options.emailTrackingSecret }));
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
