import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ConfigError, loadConfig } from '@pulse/config';
import { consoleOutput } from './output';
import { previewConfigSpec } from './preview-config';

export const SUPPRESS_USAGE = `usage: pulse suppress import FILE [options]

  Loads a suppression list into the renderer (POST /v1/suppressions): one email address,
  or a SHA-256 / MD5 hex hash of the lower-cased address, per line. CSV (a column named
  email / sha256 / md5 / hash, else the first) or NDJSON ({"email": ...} / {"sha256": ...}).
  Addresses are stored hashed; listed customers get no marketing email.

options:
  --format csv|ndjson     default: by extension (.ndjson/.jsonl: ndjson, else csv)
  --source NAME           the list's name in each suppressed record (default: file name)
  --scope marketing|all   all: transactional email too (e.g. an old ESP's bounces)
  --url URL               renderer base URL (default RENDERER_URL)`;

export interface SuppressArgs {
  file: string;
  format: 'csv' | 'ndjson';
  source: string;
  scope: 'marketing' | 'all';
  url?: string;
}

/** Parses `import FILE [--format] [--source] [--scope] [--url]`; an error names the flag. */
export function parseSuppressArgs(
  argv: readonly string[],
): { ok: true; args: SuppressArgs } | { ok: false; error: string } {
  const [sub, file, ...rest] = argv;
  if (sub !== 'import' || !file || file.startsWith('--'))
    return { ok: false, error: 'expected: import FILE' };
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i] ?? '', rest[i + 1]];
    if (!['--format', '--source', '--scope', '--url'].includes(flag) || value === undefined)
      return { ok: false, error: `unknown option or missing value: ${flag}` };
    flags[flag.slice(2)] = value;
  }
  const format = flags.format ?? (/\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : 'csv');
  const scope = flags.scope ?? 'marketing';
  if (format !== 'csv' && format !== 'ndjson')
    return { ok: false, error: '--format must be csv or ndjson' };
  if (scope !== 'marketing' && scope !== 'all')
    return { ok: false, error: '--scope must be marketing or all' };
  return {
    ok: true,
    args: {
      file,
      format,
      scope,
      source: flags.source ?? path.basename(file),
      ...(flags.url ? { url: flags.url } : {}),
    },
  };
}

/** The renderer's answer to an import. */
export interface SuppressReport {
  imported: number;
  rejected: number;
  problems: { line: number; message: string }[];
}

/** Streams the file to the renderer (never read whole: lists run to millions of lines). */
export async function importSuppressions(
  args: SuppressArgs,
  config: { rendererUrl: string; adminToken: string },
): Promise<SuppressReport> {
  await stat(args.file); // a missing file fails here, naming it
  const url = new URL('/v1/suppressions', args.url ?? config.rendererUrl);
  url.search = new URLSearchParams({
    format: args.format,
    source: args.source,
    scope: args.scope,
  }).toString();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': args.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      ...(config.adminToken ? { authorization: `Bearer ${config.adminToken}` } : {}),
    },
    body: Readable.toWeb(createReadStream(args.file)) as ReadableStream<Uint8Array>, // a byte stream
    duplex: 'half',
  } as RequestInit);
  const answer = (await res.json()) as Record<string, unknown>; // the renderer answers JSON
  if (!res.ok)
    throw new Error(`renderer answered ${res.status}: ${String(answer.message ?? answer.error)}`);
  return answer as unknown as SuppressReport; // the renderer's documented answer
}

/** `pulse suppress import FILE`: 0 all lines taken, 1 some rejected, 2 usage, 69 unreachable, 78 config. */
export async function suppressMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${SUPPRESS_USAGE}\n`);
    return 0;
  }
  const parsed = parseSuppressArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`pulse suppress: ${parsed.error}\n${SUPPRESS_USAGE}\n`);
    return 2;
  }
  try {
    const report = await importSuppressions(
      parsed.args,
      loadConfig(previewConfigSpec, process.env),
    );
    const out = consoleOutput();
    out.step(`suppression list ${parsed.args.source} (${parsed.args.scope})`);
    out.line(`imported: ${report.imported}, rejected: ${report.rejected}`);
    for (const p of report.problems) out.line(`line ${p.line}: ${p.message}`);
    return report.rejected > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`pulse suppress: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 78 : 69;
  }
}
