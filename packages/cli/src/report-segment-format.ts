import type { EngagementPoint, SegmentResult, SizeSeries } from '@pulse/predict';
import { csvCell, csvText, fixedTable, interval, money, pct, points } from './report-format';

const iso = (at: number): string => new Date(at).toISOString();
const day = (at: number): string => iso(at).slice(0, 10);

/** The per-segment columns, in table order. */
const SEGMENT_COLUMNS: [string, (r: SegmentResult) => string][] = [
  ['segment', (r) => r.segmentId],
  ['campaigns', (r) => String(r.campaigns.length)],
  ['recipients', (r) => String(r.recipients)],
  ['held out', (r) => String(r.holdoutRecipients)],
  ['delivery', (r) => pct(r.deliveryRate)],
  ['open', (r) => pct(r.openRate)],
  ['click', (r) => pct(r.clickRate)],
  ['conversion', (r) => pct(r.conversionRate)],
  ['rev/recipient', (r) => money(r.revenuePerRecipient)],
  [
    'holdout rev/recipient',
    (r) => (r.holdoutRevenuePerRecipient === null ? '–' : money(r.holdoutRevenuePerRecipient)),
  ],
  ['uplift rev/recipient (95% CI)', (r) => interval(r.upliftRevenuePerRecipient, money)],
  ['uplift conversion (95% CI)', (r) => interval(r.upliftConversion, points)],
];

/** A fixed-width per-segment table for the terminal. */
export function segmentTable(rows: readonly SegmentResult[]): string[] {
  return fixedTable(SEGMENT_COLUMNS, rows);
}

/** segment-results.csv: one row per segment, raw numbers; campaigns joined by `;`. */
export function segmentResultsCsv(rows: readonly SegmentResult[]): string {
  const header = [
    'segment',
    'campaigns',
    'recipients',
    'delivered',
    'opened',
    'clicked',
    'converted',
    'delivery_rate',
    'open_rate',
    'click_rate',
    'conversion_rate',
    'revenue',
    'revenue_per_recipient',
    'attributed_orders',
    'attributed_revenue',
    'holdout_recipients',
    'holdout_converted',
    'holdout_conversion_rate',
    'holdout_revenue_per_recipient',
    'uplift_rpr',
    'uplift_rpr_low',
    'uplift_rpr_high',
    'uplift_conversion',
    'uplift_conversion_low',
    'uplift_conversion_high',
  ];
  const lines = rows.map((r) =>
    [
      r.segmentId,
      r.campaigns.join(';'),
      r.recipients,
      r.delivered,
      r.opened,
      r.clicked,
      r.converted,
      r.deliveryRate,
      r.openRate,
      r.clickRate,
      r.conversionRate,
      r.revenue,
      r.revenuePerRecipient,
      r.attributedOrders,
      r.attributedRevenue,
      r.holdoutRecipients,
      r.holdoutConverted,
      r.holdoutConversionRate,
      r.holdoutRevenuePerRecipient,
      r.upliftRevenuePerRecipient?.estimate ?? null,
      r.upliftRevenuePerRecipient?.low ?? null,
      r.upliftRevenuePerRecipient?.high ?? null,
      r.upliftConversion?.estimate ?? null,
      r.upliftConversion?.low ?? null,
      r.upliftConversion?.high ?? null,
    ]
      .map(csvCell)
      .join(','),
  );
  return csvText(header, lines);
}

/** segment-sizes.csv: one row per segment and bucket (start in ISO 8601 UTC). */
export function segmentSizesCsv(series: SizeSeries): string {
  const lines: string[] = [];
  for (const [segmentId, list] of series.segments)
    for (const p of list)
      lines.push(
        [segmentId, iso(p.at), series.bucket, p.size, p.entered, p.exited].map(csvCell).join(','),
      );
  return csvText(['segment', 'bucket_start', 'bucket', 'size', 'entered', 'exited'], lines);
}

/** segment-engagement.csv: one row per segment and week (Monday, UTC) with emails sent. */
export function segmentEngagementCsv(list: readonly EngagementPoint[]): string {
  const header = [
    'segment',
    'week_start',
    'sends',
    'delivered',
    'opened',
    'clicked',
    'open_rate',
    'click_rate',
  ];
  const lines = list.map((p) =>
    [
      p.segmentId,
      day(p.weekStart),
      p.sends,
      p.delivered,
      p.opened,
      p.clicked,
      p.openRate,
      p.clickRate,
    ]
      .map(csvCell)
      .join(','),
  );
  return csvText(header, lines);
}
