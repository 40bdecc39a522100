import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One measured figure, printed in a table and written to bench/results/<name>-<time>.json. */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  goal?: string;
}

export function printTable(title: string, figures: Figure[]): void {
  const rows = figures.map((f) => {
    const ratio =
      f.baseline && f.baseline.value !== 0
        ? `${((f.value / f.baseline.value) * 100).toFixed(1)}%`
        : '';
    return [
      f.figure,
      `${fmt(f.value)} ${f.unit}`,
      f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit}` : '',
      ratio,
      f.goal ?? '',
    ];
  });
  const header = ['figure', 'value', 'baseline', 'ratio', 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
}

export function writeResults(name: string, data: unknown): string {
  const dir = path.resolve(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}
