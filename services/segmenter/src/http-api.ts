import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerMatches, type Logger } from '@pulse/core';
import type { RemovalStore } from './removal-store';
import type { SegmentsNow } from './segment-reload';
import type { SegmentStore } from './store';

export interface ApiOptions {
  /** The live definitions (they change when a segment file is edited). */
  segments: () => SegmentsNow;
  store: SegmentStore;
  /** Segments whose file was deleted (listed apart from the live ones, with their history). */
  removals: RemovalStore;
  logger: Logger;
  /**
   * Requests need `Authorization: Bearer <token>`. Unset, the read API is closed (403): members
   * and profile histories are personal data (decision 10).
   */
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
 * `GET /v1/segments` (definitions, versions, sizes, load problems; deleted segments under
 * `removed` with their history and the progress of their members' exits under `removal`),
 * `GET /v1/segments/:id/members?offset=&limit=` (paged, oldest entry first),
 * `GET /v1/segments/:id/sizes` (the size at the end of each hour it changed: `hourly: [{ hour
 * (epoch ms), size }]`, oldest first — kept in Redis, so it outlives the topic's retention),
 * `GET /v1/profiles/:id/segments` (canonical customer id: current memberships + history).
 */
export function createApiHandler(options: ApiOptions) {
  const { store } = options;
  const routes: [RegExp, Route][] = [
    [
      /^\/v1\/segments$/,
      async () => {
        const { set, problems, keptPrevious, reevaluation, removal, waitingForAggregates } =
          options.segments();
        const ids = set.segments.map((s) => s.id);
        const records = (await options.removals.records()).filter((r) => !set.get(r.segmentId));
        const gone = records.map((r) => r.segmentId);
        const [sizes, versions, goneSizes, goneVersions] = await Promise.all([
          store.sizes(ids),
          store.versionHistory(ids),
          store.sizes(gone),
          store.versionHistory(gone),
        ]);
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
        const removed = records.map((r, i) => ({
          id: r.segmentId,
          file: r.file,
          version: { hash: r.hash, number: r.number },
          removedAt: r.removedAt,
          exits: { state: r.state, exited: r.exited, finishedAt: r.finishedAt },
          versions: goneVersions[i] ?? [],
          size: goneSizes[i] ?? 0,
        }));
        return [
          200,
          {
            segments,
            removed,
            problems,
            keptPrevious,
            reevaluation,
            waitingForAggregates,
            removal,
          },
        ];
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
      /^\/v1\/segments\/([^/]+)\/sizes$/,
      async (_url, m) => {
        const id = decodeURIComponent(m[1] ?? '');
        const known =
          options.segments().set.get(id) ??
          (await options.removals.records()).find((r) => r.segmentId === id);
        if (!known) return [404, { error: 'unknown_segment', id }];
        const history = await store.sizeHistory(id);
        const hourly = Object.entries(history)
          .map(([hour, size]) => ({ hour: Number(hour), size }))
          .sort((a, b) => a.hour - b.hour);
        return [200, { segmentId: id, hourly }];
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
      if (!options.adminToken)
        return send(res, 403, {
          error: 'forbidden',
          message:
            'the segment read API is closed: set SEGMENTER_ADMIN_TOKEN on the segmenter and send Authorization: Bearer <SEGMENTER_ADMIN_TOKEN>',
        });
      if (!bearerMatches(req.headers.authorization, options.adminToken))
        return send(res, 401, {
          error: 'unauthorized',
          message: 'send Authorization: Bearer <SEGMENTER_ADMIN_TOKEN>',
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
