import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EmailRecord, PulseEvent } from '@pulse/contracts';
import {
  armResults,
  campaignFacts,
  membershipFacts,
  reconstructMemberships,
  segmentEngagement,
  segmentResults,
  segmentsByChangeId,
  segmentSizeSeries,
  sendOutcomes,
  sizeSeriesFromHistory,
  type ArmResult,
  type CampaignSend,
  type EngagementPoint,
  type HourlySize,
  type SegmentChangeRecord,
  type SegmentResult,
  type SizeSeries,
} from '@pulse/predict';
import { UNKNOWN_SEGMENT } from './report-campaign-segments';
import { resultsCsv, resultsTable } from './report-format';
import { resultsHtml } from './report-html';
import {
  segmentEngagementCsv,
  segmentResultsCsv,
  segmentSizesCsv,
  segmentTable,
} from './report-segment-format';
import { segmentSectionsHtml } from './report-segment-html';

export interface ReportInput {
  events: readonly PulseEvent[];
  emails: readonly EmailRecord[];
  /** segment-changes.v1 read whole, in topic order, tombstones included (default none). */
  segmentChanges?: readonly SegmentChangeRecord[];
  /**
   * The segmenter's size history per segment (`--segmenter`); when given, sizes over time come
   * from it instead of being rebuilt from segment-changes.v1 (which keeps only 7 days).
   */
  sizeHistory?: ReadonlyMap<string, readonly HourlySize[]>;
  /** Campaign id → the segment it targets, from the campaign files (default none). */
  campaignSegments?: ReadonlyMap<string, string>;
  windowDays: number;
  outDir: string;
  source: string;
  now: Date;
}

export interface ReportOutput {
  rows: ArmResult[];
  segments: SegmentResult[];
  sizes: SizeSeries;
  engagement: EngagementPoint[];
  table: string[];
  csvFile: string;
  htmlFile: string;
  segmentsCsvFile: string;
  sizesCsvFile: string;
  engagementCsvFile: string;
}

/**
 * The segment a send counts for: its campaign file's, else the segment of the change that
 * triggered it (emails.v1 `triggerId` is the segment change id), else UNKNOWN_SEGMENT.
 */
function segmentOfSend(
  campaigns: ReadonlyMap<string, string>,
  byChange: ReadonlyMap<string, string>,
): (send: CampaignSend) => string {
  return (send) =>
    campaigns.get(send.campaignId) ??
    (send.triggerId === undefined ? undefined : byChange.get(send.triggerId)) ??
    UNKNOWN_SEGMENT;
}

/** Results from the records, written as CSVs and HTML into `outDir`; the tables for the terminal. */
export function writeReport(input: ReportInput): ReportOutput {
  const changes = input.segmentChanges ?? [];
  const outcomes = sendOutcomes(
    campaignFacts(input.events, input.emails),
    input.windowDays * 86_400_000,
  );
  const rows = armResults(outcomes);
  const segments = segmentResults(
    outcomes,
    segmentOfSend(input.campaignSegments ?? new Map(), segmentsByChangeId(changes)),
  );
  const memberships = reconstructMemberships(membershipFacts(changes));
  const sizes = input.sizeHistory
    ? sizeSeriesFromHistory(input.sizeHistory)
    : segmentSizeSeries(memberships);
  const engagement = segmentEngagement(outcomes, memberships);
  const file = (name: string) => path.join(input.outDir, name);
  const out = {
    csvFile: file('campaign-results.csv'),
    htmlFile: file('campaign-results.html'),
    segmentsCsvFile: file('segment-results.csv'),
    sizesCsvFile: file('segment-sizes.csv'),
    engagementCsvFile: file('segment-engagement.csv'),
  };
  writeFileSync(out.csvFile, resultsCsv(rows));
  writeFileSync(out.segmentsCsvFile, segmentResultsCsv(segments));
  writeFileSync(out.sizesCsvFile, segmentSizesCsv(sizes));
  writeFileSync(out.engagementCsvFile, segmentEngagementCsv(engagement));
  writeFileSync(
    out.htmlFile,
    resultsHtml(
      rows,
      {
        generatedAt: input.now.toISOString(),
        windowDays: input.windowDays,
        source: input.source,
      },
      segmentSectionsHtml({ results: segments, sizes, engagement }),
    ),
  );
  const table = [...resultsTable(rows), '', ...segmentTable(segments)];
  return { rows, segments, sizes, engagement, table, ...out };
}
