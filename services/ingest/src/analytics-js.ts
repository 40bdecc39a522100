import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PulseError } from '@pulse/core';
import { Router, type Request, type Response } from 'express';
import type { IngestMetrics } from './ingest-metrics';
import type { SourceDirectory } from './sources';

/** A file as served: its bytes, and its gzip twin when the build ships one. */
interface Served {
  readonly plain: Buffer;
  readonly gzip: Buffer | undefined;
}

/**
 * analytics-next's browser build, read from its `dist/umd` folder: `standalone.js` (what
 * Segment's CDN serves as `analytics.min.js`) and the chunks it loads on demand from
 * `<_cdn>/analytics-next/bundles/` (`<name>.bundle.<hash>.js`).
 */
export interface AnalyticsJsBuild {
  readonly standalone: Served;
  readonly bundles: ReadonlyMap<string, Served>;
}

/** A chunk's file name: a name, `.bundle.`, its content hash (so it never changes), `.js`. */
const BUNDLE = /^[A-Za-z0-9_-]+\.bundle\.[0-9a-f]+\.js$/;

function served(dir: string, name: string): Served {
  const gz = join(dir, `${name}.gz`);
  return {
    plain: readFileSync(join(dir, name)),
    gzip: existsSync(gz) ? readFileSync(gz) : undefined,
  };
}

/**
 * Reads the build once at start (about 170 KB): a set `INGEST_ANALYTICS_JS_DIR` without
 * `standalone.js` fails the start instead of answering 404 to every page.
 */
export function loadAnalyticsJs(dir: string): AnalyticsJsBuild {
  if (!existsSync(join(dir, 'standalone.js'))) {
    throw new PulseError(
      'ANALYTICS_JS_DIR_INVALID',
      `INGEST_ANALYTICS_JS_DIR "${dir}" has no standalone.js: point it at the dist/umd folder of @segment/analytics-next`,
    );
  }
  const bundles = new Map<string, Served>();
  for (const name of readdirSync(dir)) {
    if (BUNDLE.test(name)) bundles.set(name, served(dir, name));
  }
  return { standalone: served(dir, 'standalone.js'), bundles };
}

export interface AnalyticsJsRoutesOptions {
  build: AnalyticsJsBuild;
  sources: SourceDirectory;
  metrics: IngestMetrics;
}

function send(req: Request, res: Response, file: Served, cacheControl: string): void {
  res.setHeader('Content-Type', 'application/javascript; charset=utf-8');
  res.setHeader('Cache-Control', cacheControl);
  res.vary('Accept-Encoding'); // added to CORS's `Vary: Origin`, not replacing it
  if (file.gzip && /\bgzip\b/.test(req.get('accept-encoding') ?? '')) {
    res.setHeader('Content-Encoding', 'gzip');
    res.end(file.gzip);
    return;
  }
  res.end(file.plain);
}

/**
 * Segment's CDN paths, served from the build, so a site's snippet needs only ingest's host:
 * `GET /analytics.js/v1/<writeKey>/analytics.min.js` (browser writeKeys only, like the settings)
 * and `GET /analytics-next/bundles/<chunk>` (only the build's own chunk files; content-hashed,
 * so cached for a year).
 */
export function analyticsJsRoutes(options: AnalyticsJsRoutesOptions): Router {
  const { build, metrics } = options;
  const router = Router();
  const notFound = (res: Response, route: string, reason: string) => {
    metrics.requests.inc({ route, status: '404' });
    res.status(404).json({ error: 'not_found', reason });
  };

  router.get('/analytics.js/v1/:writeKey/analytics.min.js', (req: Request, res: Response) => {
    const route = '/analytics.js/v1/analytics.min.js';
    const source = options.sources.authenticate(String(req.params.writeKey));
    if (!source || source.trust !== 'browser') {
      return notFound(res, route, 'no browser source has this writeKey');
    }
    metrics.requests.inc({ route, status: '200' });
    // Short, like Segment's CDN: a new build reaches pages within minutes.
    send(req, res, build.standalone, 'public, max-age=300');
  });

  router.get('/analytics-next/bundles/:file', (req: Request, res: Response) => {
    const route = '/analytics-next/bundles';
    const file = build.bundles.get(String(req.params.file));
    if (!file) return notFound(res, route, 'no such analytics.js bundle');
    metrics.requests.inc({ route, status: '200' });
    send(req, res, file, 'public, max-age=31536000, immutable');
  });
  return router;
}
