/** Escapes text for HTML and SVG content and attributes. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Line colours, distinguishable in print and for the common colour blindnesses (Okabe–Ito + greys). */
const PALETTE = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#d55e00',
  '#cc79a7',
  '#56b4e9',
  '#f0e442',
  '#000000',
  '#999999',
  '#7f4f24',
];

/** One line of a line chart. */
export interface LineSeries {
  label: string;
  points: readonly { x: number; y: number }[];
}

export interface LineChartOptions {
  formatX: (x: number) => string;
  formatY: (y: number) => string;
  /** The y axis starts here (default 0) and ends at least at `yMax`. */
  yMin?: number;
  yMax?: number;
  /** Counts: y steps are whole numbers. */
  integerY?: boolean;
}

const W = 560;
const H = 220;
const LEFT = 56;
const TOP = 12;
const LEGEND_W = 200;

/** A round step (1, 2 or 5 × 10^k) of about `raw`. */
function niceStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

/** At most `n` labels on the x axis, placed on the data's own x values (bucket starts). */
function xLabels(xs: readonly number[], n: number): number[] {
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  if (distinct.length <= n) return distinct;
  return Array.from(
    { length: n },
    (_, i) => distinct[Math.round((i * (distinct.length - 1)) / (n - 1))] as number,
  );
}

/**
 * A line chart with one line per series and a legend, as inline SVG (no script, no external
 * asset, like the bar charts). x is usually time (epoch ms); a series of one point is a dot.
 */
export function lineChart(
  title: string,
  series: readonly LineSeries[],
  options: LineChartOptions,
): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0)
    return `<figure><figcaption>${esc(title)}</figcaption><p>No data.</p></figure>`;
  const xs = all.map((p) => p.x);
  const minX = xs.reduce((a, b) => Math.min(a, b));
  const maxX = xs.reduce((a, b) => Math.max(a, b));
  const minY = options.yMin ?? 0;
  const top = all.reduce((m, p) => Math.max(m, p.y), options.yMax ?? minY);
  const raw = niceStep((top > minY ? top - minY : 1) / 4);
  const step = options.integerY ? Math.max(1, Math.round(raw)) : raw;
  const maxY = minY + Math.max(1, Math.ceil((top - minY) / step)) * step;
  const x = (v: number): number =>
    LEFT + (maxX === minX ? W / 2 : ((v - minX) / (maxX - minX)) * W);
  const y = (v: number): number => TOP + H - ((v - minY) / (maxY - minY || 1)) * H;
  const yTicks = Array.from(
    { length: Math.round((maxY - minY) / step) + 1 },
    (_, i) => minY + i * step,
  );
  const grid = yTicks
    .map(
      (v) =>
        `<line x1="${LEFT}" x2="${LEFT + W}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>` +
        `<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(options.formatY(v))}</text>`,
    )
    .join('');
  const xTicks = xLabels(xs, 5)
    .map(
      (v) =>
        `<text x="${x(v).toFixed(1)}" y="${TOP + H + 16}" text-anchor="middle">${esc(options.formatX(v))}</text>`,
    )
    .join('');
  const lines = series
    .map((s, i) => {
      const colour = PALETTE[i % PALETTE.length] as string;
      const pts = s.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`);
      const dots =
        s.points.length <= 60
          ? s.points
              .map(
                (p) =>
                  `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="2.5" fill="${colour}"/>`,
              )
              .join('')
          : '';
      const path =
        pts.length > 1
          ? `<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`
          : '';
      const ly = TOP + 8 + i * 18;
      const legend =
        `<line x1="${LEFT + W + 16}" x2="${LEFT + W + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>` +
        `<text x="${LEFT + W + 42}" y="${ly + 4}">${esc(s.label)}</text>`;
      return path + dots + legend;
    })
    .join('');
  const height = Math.max(TOP + H + 28, TOP + 16 + series.length * 18);
  return (
    `<figure><figcaption>${esc(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LEFT + W + LEGEND_W}" height="${height}" font-family="sans-serif" font-size="12">` +
    `${grid}<line x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${TOP + H}" stroke="#888"/>${xTicks}${lines}</svg></figure>`
  );
}
