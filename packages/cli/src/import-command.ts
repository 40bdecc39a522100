import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { PulseError, systemClock, type Clock } from '@pulse/core';
import type { ImportArgs } from './import-args';
import { ProgressCounter, startProgressDisplay } from './import-progress';
import type { Output } from './output';

/** One refused line of the file, as ingest names it. */
export interface ImportLineError {
  line: number;
  field: string;
  reason: string;
}

/**
 * Ingest's import report (`POST /v1/import/<kind>`, see services/ingest/README.md): every record
 * is published, a duplicate of an earlier import, or rejected; at most 1,000 errors are listed.
 */
export interface ImportReport {
  records: number;
  published: number;
  duplicates: number;
  rejected: number;
  errors: ImportLineError[];
  errorsTruncated: boolean;
}

/** How an import ended: `report` is the full (200) or partial (503) report when ingest sent one. */
export interface ImportOutcome {
  status: number;
  report: ImportReport | undefined;
  /** Ingest's refusal (`error: reason`) for any answer but 200. */
  error: string | undefined;
  bytes: number;
  lines: number | undefined;
}

export interface RunImportOptions {
  args: ImportArgs;
  /** Ingest's base URL and a server writeKey (flags already applied over the environment). */
  url: string;
  writeKey: string;
  /** Where the progress display goes (stderr for people); omit for none. */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
  clock?: Clock;
  progressIntervalMs?: number;
}

function isReport(value: unknown): value is ImportReport {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.records === 'number' &&
    typeof r.published === 'number' &&
    typeof r.duplicates === 'number' &&
    typeof r.rejected === 'number' &&
    Array.isArray(r.errors)
  );
}

async function readJson(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return { error: `HTTP ${res.statusCode ?? 0}`, reason: text.slice(0, 200) };
  }
}

function outcomeOf(status: number, body: unknown, counter: ProgressCounter, gzip: boolean) {
  // Ingest's refusals are `{error, reason, report?}`; each field is checked or String()-ed below.
  const b = (body ?? {}) as { error?: unknown; reason?: unknown; report?: unknown };
  const report = status === 200 ? body : b.report;
  return {
    status,
    report: isReport(report) ? report : undefined,
    error: status === 200 ? undefined : `${String(b.error ?? 'error')}: ${String(b.reason ?? '')}`,
    bytes: counter.bytes,
    lines: gzip ? undefined : counter.linesSent(true),
  };
}

/**
 * Streams the file to ingest's import endpoint with backpressure (memory stays constant whatever
 * the file's size), drawing progress, and resolves with ingest's report. Throws `IMPORT_FAILED`
 * when ingest cannot be reached or the file cannot be read.
 */
export async function runImport(options: RunImportOptions): Promise<ImportOutcome> {
  const { args } = options;
  const size = (await stat(args.file)).size;
  const target = new URL(`/v1/import/${args.kind}?format=${args.format}`, options.url);
  const client = target.protocol === 'https:' ? https : http;
  const req = client.request(target, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
      'content-type': args.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      'content-length': String(size),
      ...(args.gzip ? { 'content-encoding': 'gzip' } : {}),
    },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  const counter = new ProgressCounter();
  const display = options.progress
    ? startProgressDisplay(counter, size, args.gzip, {
        stream: options.progress,
        clock: options.clock ?? systemClock,
        ...(options.progressIntervalMs ? { intervalMs: options.progressIntervalMs } : {}),
      })
    : undefined;
  // Ingest may answer before reading everything (a 401, a 503 mid-file): the answer wins over
  // the upload's own error then.
  const upload = pipeline(createReadStream(args.file), counter, req).then(
    () => undefined,
    (err: unknown) => err,
  );
  try {
    const res = await answered;
    const body = await readJson(res);
    return outcomeOf(res.statusCode ?? 0, body, counter, args.gzip);
  } catch (err) {
    const cause = (await upload) ?? err;
    throw new PulseError('IMPORT_FAILED', `import to ${target.origin} failed: ${String(cause)}`, {
      retriable: true,
      cause,
    });
  } finally {
    display?.stop();
    req.destroy();
  }
}

/** Prints the report: counts, then every listed rejected line with its field and reason. */
export function printImportOutcome(outcome: ImportOutcome, out: Output): void {
  const { report } = outcome;
  out.step(outcome.status === 200 ? 'import report' : `import failed (HTTP ${outcome.status})`);
  if (outcome.error) out.line(outcome.error);
  if (!report) return;
  const accepted = report.published + report.duplicates;
  out.line(
    `${report.records} records: ${accepted} accepted (${report.published} published, ` +
      `${report.duplicates} duplicates), ${report.rejected} rejected`,
  );
  for (const e of report.errors) {
    out.line(`line ${e.line}${e.field ? ` ${e.field}` : ''}: ${e.reason}`);
  }
  if (report.errorsTruncated) {
    out.line(`(${report.errors.length} rejected lines listed; all went to the rejects topic)`);
  }
}

/** 0: every record accepted; 1: some were rejected; 69: ingest refused or failed the import. */
export function importExitCode(outcome: ImportOutcome): number {
  if (outcome.status !== 200 || !outcome.report) return 69;
  return outcome.report.rejected > 0 ? 1 : 0;
}
