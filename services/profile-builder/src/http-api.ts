import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, Logger } from '@pulse/core';
import type { FoldOptions } from './fold-options';
import { readProfile } from './profile-reader';
import type { ProfileStore } from './store';

export interface ApiOptions {
  store: ProfileStore;
  fold: FoldOptions;
  clock: Clock;
  logger: Logger;
  /** When set, requests need `Authorization: Bearer <token>`. */
  adminToken?: string;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

/** `GET /v1/profiles/:id` (userId, anonymousId or email) → the profile JSON; 404 when unknown. */
export function createApiHandler(options: ApiOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/v1\/profiles\/([^/]+)$/.exec(url.pathname);
    if (!match?.[1])
      return send(res, 404, { error: 'not_found', message: `no route ${url.pathname}` });
    if (req.method !== 'GET') return send(res, 405, { error: 'method_not_allowed' });
    if (options.adminToken && req.headers.authorization !== `Bearer ${options.adminToken}`) {
      return send(res, 401, {
        error: 'unauthorized',
        message: 'set Authorization: Bearer <PROFILE_ADMIN_TOKEN>',
      });
    }
    const id = decodeURIComponent(match[1]);
    readProfile(options.store, options.fold, id, options.clock.now())
      .then((profile) =>
        profile ? send(res, 200, profile) : send(res, 404, { error: 'unknown_customer', id }),
      )
      .catch((err: unknown) => {
        options.logger.error({ err, id }, 'profile read failed');
        send(res, 503, { error: 'unavailable' });
      });
  };
}
