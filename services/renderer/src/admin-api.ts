import type { IncomingMessage, ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { bearerMatches, type Logger } from '@pulse/core';
import type { CampaignAction, CampaignAdmin } from './campaign-admin';
import { importSuppressionLines } from './suppression-import';
import type { SuppressionList } from './suppression-list';

export interface AdminApiOptions {
  campaigns: CampaignAdmin;
  /** Campaign ids in service now (a typo in an id is a 404, not a silent no-op). */
  knownCampaign: (id: string) => boolean;
  suppressionList: SuppressionList;
  /** Bearer token; empty: the admin API is closed (403). */
  adminToken: string;
  logger: Logger;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Why a call to the preview or admin API is refused: its status and JSON body. */
export interface AdminRefusal {
  status: 401 | 403;
  body: { error: string; message: string };
}

/**
 * Preview and admin calls read customer data or change what customers receive (DESIGN decision
 * 10): they need `Authorization: Bearer <RENDERER_ADMIN_TOKEN>`, and without a token configured
 * they are closed to everyone (loopback included). Undefined when the call may go on.
 */
export function adminRefusal(req: IncomingMessage, token: string): AdminRefusal | undefined {
  if (!token)
    return {
      status: 403,
      body: {
        error: 'admin_token_required',
        message:
          'the renderer preview and admin APIs are closed: set RENDERER_ADMIN_TOKEN on the renderer and send Authorization: Bearer <token>',
      },
    };
  if (!bearerMatches(req.headers.authorization, token))
    return {
      status: 401,
      body: { error: 'unauthorized', message: 'set Authorization: Bearer <RENDERER_ADMIN_TOKEN>' },
    };
  return undefined;
}

const CAMPAIGN = /^\/v1\/campaigns\/([^/]+)(?:\/(pause|resume|kill))?$/;

/** True when the path is one of the admin routes this handler serves. */
export const isAdminPath = (path: string): boolean =>
  CAMPAIGN.test(path) || path === '/v1/suppressions';

/**
 * `POST /v1/campaigns/:id/pause|resume|kill`, `GET /v1/campaigns/:id` (state, launch time, emails
 * held by a pause) and `POST /v1/suppressions?format=csv|ndjson&source=name&scope=marketing|all`
 * (a streamed list of addresses or SHA-256/MD5 hashes) → `{ imported, rejected, problems }`.
 */
export function createAdminHandler(options: AdminApiOptions) {
  const routes = async (req: IncomingMessage, url: URL): Promise<[number, unknown]> => {
    const m = CAMPAIGN.exec(url.pathname);
    if (m) {
      const id = decodeURIComponent(m[1] ?? '');
      if (!options.knownCampaign(id)) return [404, { error: 'unknown_campaign', id }];
      const action = m[2] as CampaignAction | undefined; // the pattern allows only the three
      if (!action && req.method === 'GET')
        return [200, { campaignId: id, ...(await options.campaigns.status(id)) }];
      if (!action || req.method !== 'POST')
        return [
          405,
          { error: 'method_not_allowed', message: 'POST …/pause|resume|kill, GET the campaign' },
        ];
      const status = await options.campaigns.apply(id, action);
      options.logger.warn(
        { campaignId: id, action, released: status.released },
        'campaign control changed',
      );
      return [200, { campaignId: id, ...status }];
    }
    if (req.method !== 'POST') return [405, { error: 'method_not_allowed', message: 'use POST' }];
    const format = url.searchParams.get('format') ?? 'csv';
    const scope = url.searchParams.get('scope') ?? 'marketing';
    const source = url.searchParams.get('source') ?? 'import';
    if ((format !== 'csv' && format !== 'ndjson') || (scope !== 'marketing' && scope !== 'all'))
      return [
        400,
        { error: 'bad_request', message: 'format must be csv or ndjson, scope marketing or all' },
      ];
    const lines = createInterface({ input: req, crlfDelay: Infinity });
    const report = await importSuppressionLines(lines, format, options.suppressionList, {
      source,
      scope,
    });
    options.logger.info(
      { source, scope, ...report, problems: report.problems.length },
      'suppression list imported',
    );
    return [200, report];
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refused = adminRefusal(req, options.adminToken);
    if (refused) {
      req.resume();
      return json(res, refused.status, refused.body);
    }
    routes(req, url)
      .then(([status, body]) => json(res, status, body))
      .catch((err: unknown) => {
        options.logger.error({ err, path: url.pathname }, 'admin call failed');
        json(res, 503, {
          error: 'unavailable',
          message: 'Redis or the scheduler failed; try again',
        });
      });
  };
}
