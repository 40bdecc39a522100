import type { ProductLine } from '@pulse/contracts';
import { affinityWeight, type FoldOptions } from './fold-options';
import type { Op } from './ops';

/** Collects an event's ops and the snapshot paths they change. */
export class Delta {
  /** Idempotent ops (set unions) that run before the guards, so later copies may enrich. */
  readonly first: Op[] = [];
  readonly ops: Op[] = [];
  readonly changed = new Set<string>();
  constructor(readonly at: number) {}
  add(path: string, ...ops: Op[]): void {
    this.changed.add(path);
    this.ops.push(...ops);
  }
}

export function productKey(line: ProductLine): string | undefined {
  return line.product_id ?? line.sku ?? line.name ?? undefined;
}

export function categoryAffinity(d: Delta, category: string, weight: number, o: FoldOptions): void {
  d.add(
    'aggregates.categories',
    {
      op: 'incrFloat',
      key: 'cats',
      field: `a:${category}`,
      by: affinityWeight(weight, d.at, o.affinityHalfLifeMs),
    },
    { op: 'max', key: 'cats', field: `l:${category}`, value: d.at },
  );
}
