import { ConfigError, loadConfig } from '@pulse/config';
import { IMPORT_USAGE, parseImportArgs, type ImportArgs } from './import-args';
import { importConfigSpec } from './import-config';
import { importExitCode, printImportOutcome, runImport } from './import-command';
import { consoleOutput } from './output';

/**
 * `pulse import ...`: parses the words after `import`, reads PULSE_INGEST_URL / PULSE_WRITE_KEY
 * (flags win), streams the file with a progress display on stderr and prints the report on
 * stdout. Resolves with the exit code: `importExitCode`'s, 2 for usage errors, 69 when ingest
 * cannot be reached or the file read, 78 for bad configuration.
 */
export async function importMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  const parsed = parseImportArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`pulse import: ${parsed.error}\n${IMPORT_USAGE}\n`);
    return 2;
  }
  const { args } = parsed;
  try {
    return await runAndReport(args);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`pulse import: ${message}\n`);
    return err instanceof ConfigError ? 78 : 69;
  }
}

async function runAndReport(args: ImportArgs): Promise<number> {
  const config = loadConfig(importConfigSpec, process.env);
  const url = args.url ?? config.ingestUrl;
  const out = consoleOutput();
  out.step(`import ${args.file} (${args.kind}, ${args.format}${args.gzip ? ', gzip' : ''})`);
  out.line(`to ${new URL(`/v1/import/${args.kind}`, url).href}`);
  const outcome = await runImport({
    args,
    url,
    writeKey: args.writeKey ?? config.writeKey,
    ...(args.quiet ? {} : { progress: process.stderr }),
  });
  printImportOutcome(outcome, out);
  return importExitCode(outcome);
}
