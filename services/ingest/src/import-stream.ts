import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { ImportRow } from './import-rows';

/** A line that could not be parsed at all (bad JSON, a broken CSV record). */
export interface UnreadableRow {
  line: number;
  error: string;
}

export type ImportFormat = 'csv' | 'ndjson';

/** Longest line read; longer ones are refused, not buffered. */
export const MAX_LINE_BYTES = 32 * 1024;

/** `?format=` wins, else the Content-Type (`text/csv` is CSV), else NDJSON. */
export function importFormat(query: unknown, contentType: string | undefined): ImportFormat {
  if (query === 'csv' || query === 'ndjson') return query;
  return /\bcsv\b/i.test(contentType ?? '') ? 'csv' : 'ndjson';
}

/** The body, gunzipped when sent with `Content-Encoding: gzip`. */
export function bodyStream(req: IncomingMessage): Readable {
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  return encoding === 'gzip' || encoding === 'x-gzip' ? req.pipe(createGunzip()) : req;
}

/** NDJSON: one JSON object per line, blank lines skipped. */
export async function* ndjsonRows(input: Readable): AsyncGenerator<ImportRow | UnreadableRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    if (text.length > MAX_LINE_BYTES) {
      yield { line, error: `line is longer than ${MAX_LINE_BYTES} bytes` };
      continue;
    }
    try {
      const record: unknown = JSON.parse(text);
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        yield { line, error: 'must be a JSON object' };
      } else {
        yield { line, record: record as Record<string, unknown> };
      }
    } catch (err) {
      yield { line, error: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}

/**
 * CSV with a header row (csv-parse: quoted fields, embedded newlines, BOM). A record that does not
 * parse is reported on its line and reading goes on.
 */
export async function* csvRows(input: Readable): AsyncGenerator<ImportRow | UnreadableRow> {
  const parser = input.pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: MAX_LINE_BYTES,
      skip_records_with_error: true,
    }),
  );
  const skipped: UnreadableRow[] = [];
  parser.on('skip', (err: Error & { lines?: number }) => {
    skipped.push({ line: err.lines ?? 0, error: err.message });
  });
  for await (const item of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    // The parser reports skips ahead of the records it still buffers: keep line order.
    while (skipped[0] && skipped[0].line < item.info.lines) yield skipped.shift()!;
    yield { line: item.info.lines, record: item.record };
  }
  while (skipped.length > 0) yield skipped.shift()!;
}

/**
 * Groups consecutive CSV rows of one order (one row per product line; the file sorted by order),
 * holding one order at a time so memory stays constant.
 */
export async function* groupOrders(
  rows: AsyncIterable<ImportRow | UnreadableRow>,
): AsyncGenerator<ImportRow[] | UnreadableRow> {
  let current: ImportRow[] = [];
  const idOf = (row: ImportRow) => row.record.order_id;
  for await (const row of rows) {
    if ('error' in row) {
      yield row;
      continue;
    }
    if (current.length > 0 && idOf(current[0]!) !== idOf(row)) {
      yield current;
      current = [];
    }
    current.push(row);
    if (idOf(row) === undefined || idOf(row) === '') {
      yield current;
      current = [];
    }
  }
  if (current.length > 0) yield current;
}
