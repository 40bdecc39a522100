import type { ArmResult, Interval } from '@pulse/predict';

/** A rate as a percentage with one decimal; '–' when there is none. */
export const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
/** An amount with two decimals. */
export const money = (v: number): string => v.toFixed(2);
/** `estimate [low, high]`, or '–'. */
export const interval = (i: Interval | null, f: (v: number) => string): string =>
  i === null ? '–' : `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]`;
/** A difference of rates in percentage points. */
export const points = (v: number): string => `${(v * 100).toFixed(1)}pp`;

/** The columns, in table and CSV order. */
const COLUMNS: [string, (r: ArmResult) => string][] = [
  ['campaign', (r) => r.campaignId],
  ['arm', (r) => r.arm],
  ['recipients', (r) => String(r.recipients)],
  ['delivery', (r) => pct(r.deliveryRate)],
  ['open', (r) => pct(r.openRate)],
  ['click', (r) => pct(r.clickRate)],
  ['conversion', (r) => pct(r.conversionRate)],
  ['rev/recipient', (r) => money(r.revenuePerRecipient)],
  ['attributed', (r) => `${r.attributedOrders} / ${money(r.attributedRevenue)}`],
  ['uplift rev/recipient (95% CI)', (r) => interval(r.upliftRevenuePerRecipient, money)],
  ['uplift conversion (95% CI)', (r) => interval(r.upliftConversion, points)],
];

/** A fixed-width table for the terminal. */
export function resultsTable(rows: readonly ArmResult[]): string[] {
  return fixedTable(COLUMNS, rows);
}

/** Rows under their headers, each column as wide as its widest cell. */
export function fixedTable<R>(
  columns: readonly (readonly [string, (r: R) => string])[],
  rows: readonly R[],
): string[] {
  const cells = [columns.map(([h]) => h), ...rows.map((r) => columns.map(([, f]) => f(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  return cells.map((c) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** One CSV cell: quoted when it holds a comma, quote or newline; null is empty. */
export const csvCell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Machine-readable figures (raw numbers, not formatted), one row per campaign arm. */
export function resultsCsv(rows: readonly ArmResult[]): string {
  const header = [
    'campaign',
    'arm',
    'holdout',
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
    'uplift_rpr',
    'uplift_rpr_low',
    'uplift_rpr_high',
    'uplift_conversion',
    'uplift_conversion_low',
    'uplift_conversion_high',
  ];
  const lines = rows.map((r) =>
    [
      r.campaignId,
      r.arm,
      String(r.holdout),
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

/** The header and the (already joined) lines as one CSV text ending in a newline. */
export function csvText(header: readonly string[], lines: readonly string[]): string {
  return `${[header.join(','), ...lines].join('\n')}\n`;
}
