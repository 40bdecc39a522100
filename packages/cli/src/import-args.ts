import path from 'node:path';

export type ImportKind = 'customers' | 'orders';
export type ImportFormat = 'csv' | 'ndjson';

/** One `pulse import` invocation, as the command line gave it. */
export interface ImportArgs {
  file: string;
  kind: ImportKind;
  format: ImportFormat;
  /** The file is gzip (`.gz`): sent as is with `Content-Encoding: gzip`. */
  gzip: boolean;
  /** `--url` / `--write-key`; unset falls back to PULSE_INGEST_URL / PULSE_WRITE_KEY. */
  url?: string;
  writeKey?: string;
  /** `--quiet`: no progress display. */
  quiet: boolean;
}

export type ParsedArgs = { ok: true; args: ImportArgs } | { ok: false; error: string };

export const IMPORT_USAGE = `usage: pulse import [customers|orders] <file> [options]

  Streams a CSV (header row) or NDJSON file to ingest's POST /v1/import/<kind>
  and prints the report. The kind and format come from the file name
  (customers.csv, orders.ndjson, orders.csv.gz) unless given.

options:
  --kind customers|orders   what the file holds
  --format csv|ndjson       the file's format (.csv is CSV; .ndjson, .jsonl, .json are NDJSON)
  --url URL                 ingest's base URL (default PULSE_INGEST_URL)
  --write-key KEY           a server writeKey (default PULSE_WRITE_KEY)
  --quiet                   no progress display`;

const isKind = (value: string): value is ImportKind => value === 'customers' || value === 'orders';
const VALUE_FLAGS = new Set(['--kind', '--format', '--url', '--write-key']);

function kindFromName(name: string): ImportKind | undefined {
  if (/customer/i.test(name)) return 'customers';
  if (/order/i.test(name)) return 'orders';
  return undefined;
}

function formatFromName(name: string): ImportFormat | undefined {
  const ext = path.extname(name.replace(/\.gz$/i, '')).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') return 'ndjson';
  return undefined;
}

function splitFlags(
  argv: readonly string[],
): { flags: Map<string, string>; positional: string[] } | string {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (name === '--quiet') flags.set(name, 'true');
    else if (!VALUE_FLAGS.has(name)) return `unknown option ${name}`;
    else {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return `${name} needs a value`;
      flags.set(name, value);
    }
  }
  return { flags, positional };
}

/** Parses the words after `pulse import`. Pure: the file is not opened here. */
export function parseImportArgs(argv: readonly string[]): ParsedArgs {
  const split = splitFlags(argv);
  if (typeof split === 'string') return { ok: false, error: split };
  const { flags, positional } = split;
  const explicitKind = positional.length === 2 ? positional.shift() : undefined;
  if (positional.length !== 1) return { ok: false, error: 'name one file to import' };
  const file = positional[0]!;
  const kind = flags.get('--kind') ?? explicitKind ?? kindFromName(path.basename(file));
  if (kind === undefined) {
    return { ok: false, error: `cannot tell customers from orders by "${file}": add --kind` };
  }
  if (!isKind(kind)) return { ok: false, error: 'kind must be customers or orders' };
  const format = flags.get('--format') ?? formatFromName(file);
  if (format === undefined) {
    return { ok: false, error: `cannot tell the format of "${file}": add --format csv|ndjson` };
  }
  if (format !== 'csv' && format !== 'ndjson') {
    return { ok: false, error: 'format must be csv or ndjson' };
  }
  const url = flags.get('--url');
  const writeKey = flags.get('--write-key');
  return {
    ok: true,
    args: {
      file,
      kind,
      format,
      gzip: /\.gz$/i.test(file),
      quiet: flags.has('--quiet'),
      ...(url !== undefined ? { url } : {}),
      ...(writeKey !== undefined ? { writeKey } : {}),
    },
  };
}
