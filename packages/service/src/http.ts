import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@pulse/core';
import type { Metrics } from '@pulse/metrics';
import { runReadiness } from './readiness';
import type { ReadinessCheck } from './readiness';

/**
 * A plain Node request handler. An express or connect app is one, so a service can pass
 * `httpHandler: app`; it must answer every request it is given.
 */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Where the service is in its life; `/readyz` only runs the checks while `running`. */
export type Phase = 'starting' | 'running' | 'stopping';

/** What the built-in routes read, each time they are asked. */
export interface HttpState {
  phase(): Phase;
  checks(): Readonly<Record<string, ReadinessCheck>>;
  /** The service's own handler for every other path, once it has started. */
  fallback(): HttpHandler | undefined;
}

/** Options of `createHttpHandler`. */
export interface HttpHandlerOptions {
  metrics: Metrics;
  logger: Logger;
  state: HttpState;
  /** Each readiness check's time limit. */
  readinessTimeoutMs: number;
}

const OWN_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

async function readyz(res: ServerResponse, options: HttpHandlerOptions): Promise<void> {
  const phase = options.state.phase();
  if (phase !== 'running') {
    send(res, 503, { status: phase, ready: false, failing: [phase], checks: {} });
    return;
  }
  const report = await runReadiness(options.state.checks(), options.readinessTimeoutMs);
  send(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
}

async function metricsRoute(res: ServerResponse, metrics: Metrics): Promise<void> {
  if (!metrics.enabled) {
    send(res, 404, { error: 'not_found', reason: 'metrics are off (PULSE_METRICS=off)' });
    return;
  }
  const text = await metrics.metricsText();
  res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
  res.end(text);
}

function other(req: IncomingMessage, res: ServerResponse, options: HttpHandlerOptions): void {
  const fallback = options.state.fallback();
  if (options.state.phase() === 'stopping') {
    send(res, 503, { error: 'shutting down' }, { connection: 'close' });
  } else if (!fallback && options.state.phase() === 'starting') {
    // The service's routes are not mounted yet: a 404 here would tell a client (a Segment
    // library) to drop the call for good; 503 makes it retry once the service runs.
    send(res, 503, { error: 'starting' }, { 'retry-after': '1' });
  } else if (!fallback) {
    send(res, 404, { error: 'not found' });
  } else {
    fallback(req, res);
  }
}

/**
 * Serves `/healthz` (the process is alive: always 200), `/readyz` (200 only when every
 * readiness check passes, else 503 naming the failing ones), `/metrics` (text exposition),
 * and hands every other path to the service's handler — or 503 while shutting down.
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const route = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: `${req.method ?? ''} not allowed` }, { allow: 'GET, HEAD' });
    } else if (path === '/healthz') {
      send(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      await readyz(res, options);
    } else {
      await metricsRoute(res, options.metrics);
    }
  };
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://service').pathname;
    if (!OWN_ROUTES.has(path)) {
      try {
        other(req, res, options);
      } catch (err) {
        options.logger.error({ err, path }, 'request handler threw');
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      }
      return;
    }
    route(req, res, path).catch((err: unknown) => {
      options.logger.error({ err, path }, 'built-in route failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  };
}
