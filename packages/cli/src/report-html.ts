import type { ArmResult } from '@pulse/predict';
import { resultsTable } from './report-format';
import { esc } from './report-svg';

interface Bar {
  label: string;
  value: number;
  low: number | null;
  high: number | null;
  muted: boolean;
}

/**
 * A horizontal bar chart with interval whiskers, as inline SVG (no script, no external asset:
 * the file opens anywhere, mail attachments included). Zero is drawn when values go negative.
 */
export function barChart(
  title: string,
  bars: readonly Bar[],
  format: (v: number) => string,
): string {
  const rowH = 26;
  const labelW = 220;
  const plotW = 420;
  const height = 30 + bars.length * rowH;
  const values = bars.flatMap((b) => [b.value, b.low ?? b.value, b.high ?? b.value, 0]);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const x = (v: number): number => labelW + ((v - min) / span) * plotW;
  const rows = bars.map((b, i) => {
    const y = 24 + i * rowH;
    const whisker =
      b.low !== null && b.high !== null
        ? `<line x1="${x(b.low).toFixed(1)}" x2="${x(b.high).toFixed(1)}" y1="${y + 8}" y2="${y + 8}" stroke="#222" stroke-width="1.5"/>`
        : '';
    const left = Math.min(x(0), x(b.value));
    return (
      `<text x="${labelW - 8}" y="${y + 12}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${left.toFixed(1)}" y="${y}" width="${Math.abs(x(b.value) - x(0)).toFixed(1)}" height="16" fill="${b.muted ? '#bbb' : '#3b7dd8'}"/>` +
      whisker +
      `<text x="${labelW + plotW + 8}" y="${y + 12}">${esc(format(b.value))}</text>`
    );
  });
  return (
    `<figure><figcaption>${esc(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 90}" height="${height}" font-family="sans-serif" font-size="12">` +
    `<line x1="${x(0).toFixed(1)}" x2="${x(0).toFixed(1)}" y1="18" y2="${height}" stroke="#888" stroke-dasharray="3 3"/>` +
    `${rows.join('')}</svg></figure>`
  );
}

/**
 * The self-contained HTML report: the table, conversion per arm, uplift per variant with
 * intervals, then `sections` (already rendered HTML: the per-segment part).
 */
export function resultsHtml(
  rows: readonly ArmResult[],
  meta: { generatedAt: string; windowDays: number; source: string },
  sections = '',
): string {
  const label = (r: ArmResult) => `${r.campaignId} · ${r.arm}`;
  const conversion = barChart(
    'Conversion rate per arm (95% Wilson interval)',
    rows.map((r) => ({
      label: label(r),
      value: r.conversionRate,
      low: r.conversionInterval?.low ?? null,
      high: r.conversionInterval?.high ?? null,
      muted: r.holdout,
    })),
    (v) => `${(v * 100).toFixed(1)}%`,
  );
  const treated = rows.filter((r) => r.upliftRevenuePerRecipient !== null);
  const uplift = treated.length
    ? barChart(
        'Revenue per recipient uplift against the holdout (95% interval)',
        treated.map((r) => ({
          label: label(r),
          value: r.upliftRevenuePerRecipient?.estimate ?? 0,
          low: r.upliftRevenuePerRecipient?.low ?? null,
          high: r.upliftRevenuePerRecipient?.high ?? null,
          muted: false,
        })),
        (v) => v.toFixed(2),
      )
    : '<p>No campaign has a holdout group with recipients yet: no uplift to show.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pulse campaign results</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto}figure{margin:2em 0}figcaption{font-weight:bold;margin-bottom:.5em}</style>
</head><body>
<h1>Campaign results</h1>
<p>Generated ${esc(meta.generatedAt)} from ${esc(meta.source)}. An order counts for a send when it follows it within ${meta.windowDays} days; credit goes to a clicked send over an opened one over one only sent. Uplift compares each variant's recipients with the campaign's holdout over the same window.</p>
${conversion}
${uplift}
<h2>Table</h2>
<pre>${esc(resultsTable(rows).join('\n'))}</pre>
${sections}
</body></html>
`;
}
