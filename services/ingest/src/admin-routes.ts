import { bearerMatches } from '@pulse/core';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { IngestMetrics } from './ingest-metrics';
import { PRODUCT_FIELDS_KEY, type AllowList, type PropertyRules } from './source-policy';
import { policyOf } from './source-trust';
import type { SourceDirectory } from './sources';

export interface AdminRoutesOptions {
  sources: SourceDirectory;
  metrics: IngestMetrics;
  /** INGEST_ADMIN_TOKEN; unset turns the admin API off (404), never open. */
  adminToken?: string | undefined;
}

function listed(list: AllowList): string[] {
  return list.any ? ['*'] : [...list.exact, ...list.prefixes.map((p) => `${p}*`)];
}

/** Property rules as config/sources.yaml spells them: event (or pattern, call, `products[]`) → keys. */
function listedProperties(rules: PropertyRules): Record<string, string[]> {
  return Object.fromEntries([
    ...[...rules.byEvent].map(([event, list]) => [event, listed(list)]),
    ...rules.byPrefix.map(({ prefix, list }) => [`${prefix}*`, listed(list)]),
    ...(rules.other ? [['*', listed(rules.other)]] : []),
    ...Object.entries(rules.byCall ?? {}).map(([call, list]) => [call, listed(list)]),
    ...(rules.productFields ? [[PRODUCT_FIELDS_KEY, listed(rules.productFields)]] : []),
  ]);
}

/**
 * `/v1/admin/*`: what ingest runs with, for operators, behind `Authorization: Bearer
 * <INGEST_ADMIN_TOKEN>`. `GET /v1/admin/sources`: each writeKey source's trust, order system,
 * allow-lists and rate limit (never its key).
 */
export function adminRoutes(options: AdminRoutesOptions): Router {
  const { metrics, adminToken } = options;
  const router = Router();
  router.use('/v1/admin', (req: Request, res: Response, next: NextFunction) => {
    const route = '/v1/admin';
    if (adminToken === undefined || adminToken === '') {
      metrics.requests.inc({ route, status: '404' });
      res
        .status(404)
        .json({ error: 'not_found', reason: 'the admin API is off (INGEST_ADMIN_TOKEN)' });
      return;
    }
    if (!bearerMatches(req.headers.authorization, adminToken)) {
      metrics.requests.inc({ route, status: '401' });
      metrics.rejected.inc({ reason: 'unauthorized' });
      res.setHeader('WWW-Authenticate', 'Bearer');
      res
        .status(401)
        .json({ error: 'unauthorized', reason: 'needs Authorization: Bearer <admin token>' });
      return;
    }
    next();
  });
  router.get('/v1/admin/sources', (_req: Request, res: Response) => {
    metrics.requests.inc({ route: '/v1/admin/sources', status: '200' });
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      sources: options.sources.sources.map((source) => {
        const policy = policyOf(source);
        return {
          id: source.id,
          trust: source.trust,
          orderSystem: source.orderSystem ?? source.id,
          calls: listed(policy.calls),
          events: listed(policy.events),
          traits: listed(policy.traits),
          properties: listedProperties(policy.properties),
          rate: policy.rate ?? 'unlimited',
        };
      }),
    });
  });
  return router;
}
