import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@pulse/core';
import { isRetriable } from '@pulse/core';
import { Router, type Request, type Response } from 'express';
import {
  customerMessage,
  missingId,
  orderMessage,
  rowProblem,
  type ImportKind,
  type ImportMessage,
} from './import-rows';
import {
  bodyStream,
  csvRows,
  groupOrders,
  importFormat,
  ndjsonRows,
  type UnreadableRow,
} from './import-stream';
import type { CategorySynonyms } from './categories';
import type { IngestMetrics } from './ingest-metrics';
import type { FieldProblem } from './problems';
import type { Accepted, Publisher } from './publisher';
import { writeKeyFromAuthorization, type Source, type SourceDirectory } from './sources';
import { acceptCall } from './tracking';

/** Events handed to Kafka at once; the body is not read further until they are acked. */
const CHUNK = 500;
/** Line errors listed in the report (all are counted and sent to the rejects topic). */
const MAX_LISTED_ERRORS = 1000;

export interface ImportRoutesOptions {
  sources: SourceDirectory;
  /** A publisher whose dedup window covers re-imports (INGEST_IMPORT_DEDUP_WINDOW). */
  publisher: Publisher;
  metrics: IngestMetrics;
  logger: Logger;
  clock: Clock;
  maxFutureSkewMs: number;
  maxOrderTotal: number;
  /** Canonical product categories (config/categories.yaml). */
  categories: CategorySynonyms;
  retryAfterSeconds?: number;
}

export interface LineError {
  line: number;
  field: string;
  reason: string;
}

/** What an import did: every line is accepted (published or a duplicate) or rejected. */
export interface ImportReport {
  records: number;
  published: number;
  duplicates: number;
  rejected: number;
  errors: LineError[];
  errorsTruncated: boolean;
}

type Unit = ImportMessage | (UnreadableRow & { csv: boolean });

async function* units(req: Request, kind: ImportKind): AsyncGenerator<Unit> {
  const csv = importFormat(req.query.format, req.headers['content-type']) === 'csv';
  const rows = (csv ? csvRows : ndjsonRows)(bodyStream(req));
  if (kind === 'customers') {
    for await (const row of rows) yield 'error' in row ? { ...row, csv } : customerMessage(row);
    return;
  }
  if (!csv) {
    for await (const row of rows) yield 'error' in row ? { ...row, csv } : orderMessage([row]);
    return;
  }
  for await (const group of groupOrders(rows)) {
    yield Array.isArray(group) ? orderMessage(group) : { ...group, csv };
  }
}

/**
 * `POST /v1/import/customers|orders`: CSV (header row) or NDJSON, streamed in chunks with
 * backpressure. Customers become identify calls, orders Order Completed at their own time; each
 * goes through the tracking API's validation and normalization. Bad lines are reported by line
 * number and sent to the rejects topic; the good ones are published, deduplicated by a stable id
 * per line so a re-import publishes nothing new. Needs a server writeKey.
 */
export function importRoutes(options: ImportRoutesOptions): Router {
  const { publisher, metrics, clock } = options;
  const router = Router();

  const handle = async (req: Request, res: Response, kind: ImportKind) => {
    const route = `/v1/import/${kind}`;
    const send = (status: number, body: unknown) => {
      metrics.requests.inc({ route, status: String(status) });
      res.status(status).json(body);
    };
    const source = options.sources.authenticate(
      writeKeyFromAuthorization(req.headers.authorization),
    );
    if (!source || source.trust !== 'server') {
      req.resume();
      metrics.rejected.inc({ reason: 'unauthorized' });
      return send(source ? 403 : 401, {
        error: source ? 'type_not_allowed' : 'unauthorized',
        reason: source
          ? 'imports need a server writeKey'
          : 'writeKey missing or unknown (Basic auth user)',
      });
    }
    const report: ImportReport = {
      records: 0,
      published: 0,
      duplicates: 0,
      rejected: 0,
      errors: [],
      errorsTruncated: false,
    };
    try {
      await run(req, kind, source, report);
    } catch (err) {
      if (!isRetriable(err)) throw err;
      options.logger.warn({ err, route }, 'import publish failed; answering 503');
      res.setHeader('Retry-After', String(options.retryAfterSeconds ?? 5));
      req.resume();
      return send(503, {
        error: 'unavailable',
        reason: 'events could not be stored; re-import (duplicates are skipped)',
        report,
      });
    }
    send(200, report);
  };

  const run = async (req: Request, kind: ImportKind, source: Source, report: ImportReport) => {
    let chunk: Accepted[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const outcome = await publisher.publish(source.id, chunk);
      report.published += outcome.published;
      report.duplicates += outcome.duplicates;
      chunk = [];
    };
    const fail = (error: LineError, code: string, raw: string) => {
      report.rejected += 1;
      if (report.errors.length < MAX_LISTED_ERRORS) report.errors.push(error);
      else report.errorsTruncated = true;
      return publisher.reject({
        rejectedAt: clock.now(),
        source: source.id,
        reason: code,
        problems: [{ path: error.field, message: `line ${error.line}: ${error.reason}` }],
        raw,
      });
    };
    const csv = importFormat(req.query.format, req.headers['content-type']) === 'csv';
    for await (const unit of units(req, kind)) {
      report.records += 1;
      if ('error' in unit) {
        await fail({ line: unit.line, field: '', reason: unit.error }, 'invalid_body', '');
        continue;
      }
      const raw = JSON.stringify(unit.message);
      const missing = missingId(kind, unit);
      const result = missing ? ({ ok: false, problem: missing } as const) : acceptOne(unit, source);
      if (!result.ok) {
        const { code, ...error } = rowProblem(kind, unit.line, result.problem, csv);
        await fail(error, code, raw);
        continue;
      }
      chunk.push(result.accepted);
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
  };

  const acceptOne = (unit: ImportMessage, source: Source) => {
    const result = acceptCall(unit.message, unit.kind, {
      source,
      receivedAt: clock.now(),
      maxFutureSkewMs: options.maxFutureSkewMs,
      maxOrderTotal: options.maxOrderTotal,
      categories: options.categories,
      newId: randomUUID,
    });
    if (result.ok) return { ok: true as const, accepted: result.accepted[0]! };
    const { error, field = '', reason } = result.refusal.body;
    const code: FieldProblem['code'] =
      error === 'outlier' || error === 'type_not_allowed' || error === 'field_not_allowed'
        ? error
        : 'invalid_field';
    return { ok: false as const, problem: { code, field, reason } };
  };

  router.post('/v1/import/customers', (req, res) => handle(req, res, 'customers'));
  router.post('/v1/import/orders', (req, res) => handle(req, res, 'orders'));
  return router;
}
