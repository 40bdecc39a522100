import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerMatches, type Clock, type Logger } from '@pulse/core';
import type { FoldOptions } from './fold-options';
import { readProfile } from './profile-reader';
import type { ProfileView } from './profile-view';
import type { DuplicateStore } from './duplicate-store';
import type { Eraser } from './erasure';
import type { ProfileStore } from './store';
import type { TagDefinition } from './tags';

export interface ApiOptions {
  store: ProfileStore;
  fold: FoldOptions;
  clock: Clock;
  logger: Logger;
  tags: readonly TagDefinition[];
  duplicates: DuplicateStore;
  /**
   * Requests need `Authorization: Bearer <token>`; unset, the API is closed (403) except to
   * loopback GETs with `openLoopback`.
   */
  adminToken?: string;
  /** GET requests from loopback need no token (PROFILE_ADMIN_OPEN_LOOPBACK; local demos). */
  openLoopback?: boolean;
  /** Serves `DELETE /v1/profiles/:id` (only when `adminToken` is set). */
  eraser?: Eraser;
  /** Adds the predictive traits (churnRisk, nextBestOffer) to a profile read; see predictive-traits.ts. */
  predict?: (view: ProfileView) => ProfileView;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

/** Whether the request came over the loopback interface (127.0.0.0/8 or ::1). */
export function isLoopback(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * Why a request may not use the API (decision 10: read APIs need an admin token), or undefined.
 * Without PROFILE_ADMIN_TOKEN the API is closed, except GETs from loopback when
 * PROFILE_ADMIN_OPEN_LOOPBACK is on (erasure never is).
 */
function refusal(
  req: IncomingMessage,
  options: ApiOptions,
  erase: boolean,
): { status: number; body: { error: string; message: string } } | undefined {
  if (!erase && options.openLoopback && isLoopback(req)) return undefined;
  if (!options.adminToken)
    return {
      status: 403,
      body: {
        error: 'admin_token_required',
        message:
          'the profile API is closed: set PROFILE_ADMIN_TOKEN and send Authorization: Bearer <token> (or PROFILE_ADMIN_OPEN_LOOPBACK=1 for local reads)',
      },
    };
  if (!bearerMatches(req.headers.authorization, options.adminToken))
    return {
      status: 401,
      body: { error: 'unauthorized', message: 'set Authorization: Bearer <PROFILE_ADMIN_TOKEN>' },
    };
  return undefined;
}

/** Probable duplicates listed for review, highest score first, without pairs merged since. */
async function listDuplicates(options: ApiOptions, limit: number) {
  const pairs = await options.duplicates.listed(limit);
  const ids = pairs.flatMap((p) => [p.a, p.b]);
  const fences = await options.store.fences(ids);
  return pairs.filter((_, i) => !fences[i * 2]?.into && !fences[i * 2 + 1]?.into);
}

/**
 * `GET /v1/profiles/:id` (userId, anonymousId or email) → the profile JSON; 404 when unknown.
 * `DELETE /v1/profiles/:id` → erases the customer (see erasure.ts): `{ erased, customerId,
 * suppressed, tombstoneVersion }`; 403 unless PROFILE_ADMIN_TOKEN is set.
 * `GET /v1/duplicates?limit=N` → `{ duplicates: [{ a, b, score, reasons, at }] }` (review list).
 * Every route needs the admin token (403 when none is configured, 401 when it does not match);
 * see `refusal`.
 */
export function createApiHandler(options: ApiOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/v1\/profiles\/([^/]+)$/.exec(url.pathname);
    const duplicates = url.pathname === '/v1/duplicates';
    if (!match?.[1] && !duplicates)
      return send(res, 404, { error: 'not_found', message: `no route ${url.pathname}` });
    const erase = req.method === 'DELETE' && !duplicates;
    if (req.method !== 'GET' && !erase) return send(res, 405, { error: 'method_not_allowed' });
    // Erasure cannot be undone: never served without a configured token.
    if (erase && (!options.adminToken || !options.eraser))
      return send(res, 403, {
        error: 'admin_token_required',
        message: 'set PROFILE_ADMIN_TOKEN to enable DELETE /v1/profiles/:id',
      });
    const denied = refusal(req, options, erase);
    if (denied) return send(res, denied.status, denied.body);
    if (duplicates) {
      const limit = Math.min(
        1000,
        Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100),
      );
      listDuplicates(options, limit)
        .then((list) => send(res, 200, { duplicates: list }))
        .catch((err: unknown) => {
          options.logger.error({ err }, 'duplicate list failed');
          send(res, 503, { error: 'unavailable' });
        });
      return;
    }
    const id = decodeURIComponent(match?.[1] ?? '');
    if (erase && options.eraser) {
      options.eraser
        .erase(id)
        .then((done) => send(res, 200, { erased: true, ...done }))
        .catch((err: unknown) => {
          options.logger.error({ err }, 'erasure failed');
          send(res, 503, { error: 'unavailable', message: 'erasure failed; it is safe to retry' });
        });
      return;
    }
    readProfile(options.store, options.fold, id, options.clock.now(), options.tags)
      .then((profile) =>
        profile
          ? send(res, 200, options.predict ? options.predict(profile) : profile)
          : send(res, 404, { error: 'unknown_customer', id }),
      )
      .catch((err: unknown) => {
        options.logger.error({ err, id }, 'profile read failed');
        send(res, 503, { error: 'unavailable' });
      });
  };
}
