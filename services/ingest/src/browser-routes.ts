import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import type { IngestMetrics } from './ingest-metrics';
import type { SourceDirectory } from './sources';

/** The page-time script, shipped beside src/ and dist/ (services/ingest/static). */
export const PAGE_TIME_SCRIPT = join(__dirname, '..', 'static', 'pulse-pagetime.js');

export interface BrowserRoutesOptions {
  sources: SourceDirectory;
  metrics: IngestMetrics;
  /**
   * How browsers reach ingest, as analytics.js's `apiHost` (host[:port][/path]) and `protocol`:
   * `https://host` sets both; without a scheme the protocol is the request's. Default: the
   * request's own host and protocol.
   */
  publicHost?: string | undefined;
}

/**
 * analytics.js's apiHost and protocol. Behind a TLS-terminating proxy the request arrives as
 * http, and a page on https may not post to http: `INGEST_PUBLIC_HOST=https://...` says so.
 */
export function publicEndpoint(
  publicHost: string | undefined,
  request: { host: string | undefined; protocol: string },
): { apiHost: string; protocol: string } {
  const scheme = /^(https?):\/\/(.+?)\/?$/.exec(publicHost ?? '');
  if (scheme) return { apiHost: scheme[2]!, protocol: scheme[1]! };
  return { apiHost: publicHost ?? request.host ?? 'localhost', protocol: request.protocol };
}

/**
 * The settings analytics.js (analytics-next) fetches from its CDN at start, in the CDN's shape,
 * pointing its "Segment.io" destination at ingest. Only what it reads is filled in.
 */
export function segmentSettings(writeKey: string, apiHost: string, protocol: string) {
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost: `${apiHost}/v1`,
        protocol,
        unbundledIntegrations: [],
        addBundledMetadata: true,
        maybeBundledConfigIds: {},
        versionSettings: { componentTypes: ['browser'] },
      },
    },
    plan: {
      track: { __default: { enabled: true, integrations: {} } },
      identify: { __default: { enabled: true } },
      group: { __default: { enabled: true } },
    },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}

/**
 * `GET /v1/projects/<writeKey>/settings` (what analytics.js asks its CDN for; a site's snippet
 * sets `analytics._cdn` to ingest) and `GET /v1/pulse-pagetime.js`. CORS comes from the app's
 * middleware. Only browser writeKeys get settings: a server key must not end up in a page.
 */
export function browserRoutes(options: BrowserRoutesOptions): Router {
  const { metrics } = options;
  const router = Router();
  let script: string | undefined;

  router.get('/v1/projects/:writeKey/settings', (req: Request, res: Response) => {
    const route = '/v1/projects/settings';
    const source = options.sources.authenticate(String(req.params.writeKey));
    if (!source || source.trust !== 'browser') {
      metrics.requests.inc({ route, status: '404' });
      res.status(404).json({ error: 'not_found', reason: 'no browser source has this writeKey' });
      return;
    }
    const { apiHost, protocol } = publicEndpoint(options.publicHost, {
      host: req.get('host'),
      protocol: req.protocol,
    });
    metrics.requests.inc({ route, status: '200' });
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(segmentSettings(String(req.params.writeKey), apiHost, protocol));
  });

  router.get('/v1/pulse-pagetime.js', (_req: Request, res: Response) => {
    // Read once, on first use: the file ships with the service and does not change under it.
    script ??= readFileSync(PAGE_TIME_SCRIPT, 'utf8');
    metrics.requests.inc({ route: '/v1/pulse-pagetime.js', status: '200' });
    res.setHeader('Content-Type', 'application/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.send(script);
  });
  return router;
}
