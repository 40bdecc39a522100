import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EmailRecord, PulseEvent } from '@pulse/contracts';
import { campaignFacts, campaignResults, type ArmResult } from '@pulse/predict';
import { resultsCsv, resultsTable } from './report-format';
import { resultsHtml } from './report-html';

export interface ReportInput {
  events: readonly PulseEvent[];
  emails: readonly EmailRecord[];
  windowDays: number;
  outDir: string;
  source: string;
  now: Date;
}

export interface ReportOutput {
  rows: ArmResult[];
  table: string[];
  csvFile: string;
  htmlFile: string;
}

/** Results from the records, written as CSV and HTML into `outDir`; the table for the terminal. */
export function writeReport(input: ReportInput): ReportOutput {
  const facts = campaignFacts(input.events, input.emails);
  const rows = campaignResults(facts, { windowMs: input.windowDays * 86_400_000 });
  const csvFile = path.join(input.outDir, 'campaign-results.csv');
  const htmlFile = path.join(input.outDir, 'campaign-results.html');
  writeFileSync(csvFile, resultsCsv(rows));
  writeFileSync(
    htmlFile,
    resultsHtml(rows, {
      generatedAt: input.now.toISOString(),
      windowDays: input.windowDays,
      source: input.source,
    }),
  );
  return { rows, table: resultsTable(rows), csvFile, htmlFile };
}
