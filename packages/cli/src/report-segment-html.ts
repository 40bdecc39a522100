import type { EngagementPoint, SegmentResult, SizeSeries } from '@pulse/predict';
import { barChart } from './report-html';
import { segmentTable } from './report-segment-format';
import { esc, lineChart, type LineSeries } from './report-svg';

/** Lines per chart: more would be unreadable (every segment is in the CSVs). */
export const MAX_LINES = 10;

const dateOf = (at: number): string => new Date(at).toISOString().slice(0, 10);
const hourOf = (at: number): string =>
  new Date(at).toISOString().slice(5, 13).replace('T', ' ') + 'h';
const percent = (v: number): string => `${Number((v * 100).toFixed(1))}%`;

function more(shown: number, total: number, csv: string): string {
  return total > shown ? `<p>${total - shown} more segment(s) in ${esc(csv)}.</p>` : '';
}

function resultsSection(rows: readonly SegmentResult[]): string {
  const treated = rows.filter((r) => r.upliftRevenuePerRecipient !== null);
  const uplift = treated.length
    ? barChart(
        'Revenue per recipient uplift against the holdout, per segment (95% interval)',
        treated.map((r) => ({
          label: r.segmentId,
          value: r.upliftRevenuePerRecipient?.estimate ?? 0,
          low: r.upliftRevenuePerRecipient?.low ?? null,
          high: r.upliftRevenuePerRecipient?.high ?? null,
          muted: false,
        })),
        (v) => v.toFixed(2),
      )
    : '<p>No segment has a campaign with a holdout group yet: no uplift to show.</p>';
  const conversion = barChart(
    'Conversion rate of the recipients, per segment (95% Wilson interval)',
    rows.map((r) => ({
      label: r.segmentId,
      value: r.conversionRate,
      low: r.conversionInterval?.low ?? null,
      high: r.conversionInterval?.high ?? null,
      muted: false,
    })),
    (v) => `${(v * 100).toFixed(1)}%`,
  );
  return `<h2>Per segment</h2>
<p>Each campaign counts for the segment its file targets (<code>trigger.segment</code>; event-triggered campaigns are grouped as <code>event: …</code>). Rates are over the recipients of every variant; uplift compares each campaign with its own holdout and pools the campaigns of the segment, weighted by their recipients.</p>
${conversion}
${uplift}
<pre>${esc(segmentTable(rows).join('\n'))}</pre>`;
}

function sizesSection(series: SizeSeries): string {
  const peak = (id: string) =>
    (series.segments.get(id) ?? []).reduce((m, p) => Math.max(m, p.size), 0);
  const ids = [...series.segments.keys()].sort((a, b) => peak(b) - peak(a) || a.localeCompare(b));
  const shown = ids.slice(0, MAX_LINES);
  const lines: LineSeries[] = shown.map((id) => ({
    label: id,
    points: (series.segments.get(id) ?? []).map((p) => ({ x: p.at, y: p.size })),
  }));
  const chart = lineChart(`Segment members at the end of each ${series.bucket} (UTC)`, lines, {
    formatX: series.bucket === 'hour' ? hourOf : dateOf,
    formatY: (v) => v.toFixed(0),
    integerY: true,
  });
  return `<h2>Segment sizes over time</h2>
<p>Replayed from segment-changes.v1: entries and exits in the order they were published, removals (tombstones) taking a customer out of every segment. A customer whose first record is an exit counts as a member from the start; members who neither entered nor left within the topic's retention are not visible, so sizes are a lower bound once the topic was trimmed.</p>
${chart}
${more(shown.length, ids.length, 'segment-sizes.csv')}`;
}

function engagementSection(points: readonly EngagementPoint[]): string {
  const sends = new Map<string, number>();
  for (const p of points) sends.set(p.segmentId, (sends.get(p.segmentId) ?? 0) + p.sends);
  const ids = [...sends.keys()].sort(
    (a, b) => (sends.get(b) ?? 0) - (sends.get(a) ?? 0) || a.localeCompare(b),
  );
  const shown = ids.slice(0, MAX_LINES);
  const lines = (rate: (p: EngagementPoint) => number | null): LineSeries[] =>
    shown.map((id) => ({
      label: id,
      points: points
        .filter((p) => p.segmentId === id && rate(p) !== null)
        .map((p) => ({ x: p.weekStart, y: rate(p) ?? 0 })),
    }));
  const options = { formatX: dateOf, formatY: percent, yMax: 0.1 };
  return `<h2>Engagement of each segment, by week</h2>
<p>Every email sent (by any campaign) to a customer while a member of the segment, by the week (Monday, UTC) it was sent; opened or clicked when that email got a human open or click. Rates are over delivered emails when the provider reports deliveries, else over sent ones.</p>
${lineChart(
  'Open rate per week',
  lines((p) => p.openRate),
  options,
)}
${lineChart(
  'Click rate per week',
  lines((p) => p.clickRate),
  options,
)}
${more(shown.length, ids.length, 'segment-engagement.csv')}`;
}

/** The per-segment sections of the HTML report (results, sizes over time, weekly engagement). */
export function segmentSectionsHtml(input: {
  results: readonly SegmentResult[];
  sizes: SizeSeries;
  engagement: readonly EngagementPoint[];
}): string {
  return [
    resultsSection(input.results),
    sizesSection(input.sizes),
    engagementSection(input.engagement),
  ].join('\n');
}
