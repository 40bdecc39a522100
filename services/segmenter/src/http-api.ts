import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerMatches, type Logger } from '@pulse/core';
import type { SegmentsNow } from './segment-reload';
import type { SegmentStore } from './store';

export interface ApiOptions {
  /** The live definitions (they change when a segment file is edited). */
  segments: () => SegmentsNow;
  store: SegmentStore;
  logger: Logger;
  /** When set, requests need `Authorization: Bearer <token>`. */
  adminToken?: string;
  historyLimit: number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const n = Number(url.searchParams.get(name) ?? fallback);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

type Route = (url: URL, match: RegExpExecArray) => Promise<[number, unknown]>;

/**
 * `GET /v1/segments` (definitions, versions, sizes, load problems),
 * `GET /v1/segments/:id/members?offset=&limit=` (paged, oldest entry first),
 * `GET /v1/profiles/:id/segments` (canonical customer id: current memberships + history).
 */
export function createApiHandler(options: ApiOptions) {
  const { store } = options;
  const routes: [RegExp, Route][] = [
    [
      /^\/v1\/segments$/,
      async () => {
        const { set, problems, keptPrevious, reevaluation } = options.segments();
        const ids = set.segments.map((s) => s.id);
        const [sizes, versions] = await Promise.all([store.sizes(ids), store.versionHistory(ids)]);
        const segments = set.segments.map((s, i) => ({
          id: s.id,
          name: s.name,
          description: s.description,
          file: s.file,
          version: s.version,
          versions: versions[i] ?? [],
          size: sizes[i] ?? 0,
          reads: s.reads,
        }));
        return [200, { segments, problems, keptPrevious, reevaluation }];
      },
    ],
    [
      /^\/v1\/segments\/([^/]+)\/members$/,
      async (url, m) => {
        const id = decodeURIComponent(m[1] ?? '');
        if (!options.segments().set.get(id)) return [404, { error: 'unknown_segment', id }];
        const offset = intParam(url, 'offset', 0, Number.MAX_SAFE_INTEGER);
        const limit = intParam(url, 'limit', 100, 1000) || 100;
        const page = await store.members(id, offset, limit);
        const next = offset + page.members.length;
        return [
          200,
          { segmentId: id, ...page, offset, nextOffset: next < page.total ? next : null },
        ];
      },
    ],
    [
      /^\/v1\/profiles\/([^/]+)\/segments$/,
      async (_url, m) => {
        const id = decodeURIComponent(m[1] ?? '');
        const [memberships, history] = await Promise.all([
          store.memberships(id),
          store.history(id, options.historyLimit),
        ]);
        if (memberships.length === 0 && history.length === 0)
          return [404, { error: 'unknown_customer', id }];
        const current = memberships
          .filter((x) => x.member)
          .map(({ segmentId, version, since }) => ({ segmentId, version, since }));
        return [200, { customerId: id, current, history }];
      },
    ],
  ];
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const [pattern, route] of routes) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      if (req.method !== 'GET') return send(res, 405, { error: 'method_not_allowed' });
      if (options.adminToken && !bearerMatches(req.headers.authorization, options.adminToken))
        return send(res, 401, {
          error: 'unauthorized',
          message: 'set Authorization: Bearer <SEGMENTER_ADMIN_TOKEN>',
        });
      route(url, match)
        .then(([status, body]) => send(res, status, body))
        .catch((err: unknown) => {
          options.logger.error({ err, path: url.pathname }, 'segment read failed');
          send(res, 503, { error: 'unavailable' });
        });
      return;
    }
    send(res, 404, { error: 'not_found', message: `no route ${url.pathname}` });
  };
}
