import type { ArmResult, Interval } from '@pulse/predict';

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const money = (v: number): string => v.toFixed(2);
const interval = (i: Interval | null, f: (v: number) => string): string =>
  i === null ? '–' : `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]`;

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
  [
    'uplift conversion (95% CI)',
    (r) => interval(r.upliftConversion, (v) => `${(v * 100).toFixed(1)}pp`),
  ],
];

/** A fixed-width table for the terminal. */
export function resultsTable(rows: readonly ArmResult[]): string[] {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  return cells.map((c) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

const csvCell = (v: string | number | null): string => {
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
  return `${[header.join(','), ...lines].join('\n')}\n`;
}
