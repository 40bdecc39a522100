import { csvHeaderColumn, parseListLine } from './suppression-list';
import type { ListedEmail, SuppressionList } from './suppression-list';

export interface ImportReport {
  /** Entries written (hashes; a re-import writes the same ones again). */
  imported: number;
  rejected: number;
  /** The first rejected lines, with their line number (1-based) and why. */
  problems: { line: number; message: string }[];
}

const BATCH = 1_000;
const MAX_PROBLEMS = 100;

/**
 * Streams a suppression list (CSV with or without a header, or NDJSON) into the store in
 * batches, so a list of millions never sits in memory. Bad lines are reported, the rest kept.
 */
export async function importSuppressionLines(
  lines: AsyncIterable<string> | Iterable<string>,
  format: 'csv' | 'ndjson',
  list: SuppressionList,
  entry: ListedEmail,
): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, rejected: 0, problems: [] };
  let batch: string[] = [];
  let column: number | null = null;
  let n = 0;
  const flush = async () => {
    await list.add(batch, entry);
    report.imported += batch.length;
    batch = [];
  };
  for await (const line of lines) {
    n += 1;
    if (format === 'csv' && column === null && line.trim() !== '' && !line.startsWith('#')) {
      const header = csvHeaderColumn(line);
      column = header ?? 0;
      if (header !== null) continue; // the header row names the column
    }
    const parsed = parseListLine(line, format, column ?? 0);
    if (parsed === null) continue;
    if (!parsed.ok) {
      report.rejected += 1;
      if (report.problems.length < MAX_PROBLEMS)
        report.problems.push({ line: n, message: parsed.message });
      continue;
    }
    batch.push(parsed.key);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return report;
}
