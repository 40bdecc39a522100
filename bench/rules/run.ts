// bench/rules: rule evaluation speed, pure CPU on one core. Loads the shipped segments plus
// generated variants (50 in all), builds realistic profiles (orders, visits, emails, carts over
// 180 days, folded into the rules' aggregates), then evaluates every segment — membership and
// nextFlipAt — per profile change, parsing the snapshot's JSON each time as the segmenter would.
// Goal: >= 50k segment evaluations/s per core. Run: pnpm bench:rules
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ProfileView,
  distributionFromValues,
  ev,
  loadSegmentSet,
  metricValue,
  snapshotFrom,
  type AggregateEvent,
  type SegmentFile,
} from '@pulse/rules';
import type { ProfileSnapshot } from '@pulse/contracts';
import { printTable, writeResults, type Figure } from '../lib/report';

const SEGMENTS = 50;
const PROFILES = Number(process.env.BENCH_PROFILES ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const D = 86_400_000;
const NOW = Date.UTC(2026, 2, 10, 12);

function shipped(): SegmentFile[] {
  const dir = path.resolve(__dirname, '../../config/segments');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ file: f, text: readFileSync(path.join(dir, f), 'utf8') }));
}

/** Variants of the shipped rules (other thresholds and windows) up to `SEGMENTS`. */
function variants(count: number): SegmentFile[] {
  const rules = [
    (i: number) =>
      `event: Order Completed\n  count: { at_least: ${1 + (i % 4)} }\n  in_last: ${30 + i}d`,
    (i: number) =>
      `event: Order Completed\n  sum: total\n  gt: ${100 + 10 * i}\n  in_last: ${20 + i}d`,
    (i: number) =>
      `all:\n    - event: page\n      within: ${1 + (i % 14)}d\n    - event: Order Completed\n      none_in: ${10 + i}d`,
    (i: number) => `rate: open\n  gte: ${20 + (i % 5) * 10}%\n  in_last: ${30 + i}d`,
    (i: number) =>
      `all:\n    - trait: country\n      in: [FR, DE, US]\n    - event: Product Viewed\n      count: { at_least: ${2 + (i % 5)} }\n      in_last: ${7 + i}d`,
    (i: number) =>
      `any:\n    - segment: big-spenders\n    - event: Email Link Clicked\n      within: ${5 + i}d`,
    (i: number) => `not:\n    event: [page, Product Viewed]\n    none_in: ${15 + i}d`,
  ];
  return Array.from({ length: count }, (_, i) => {
    const rule = rules[i % rules.length]?.(i) ?? '';
    return {
      file: `v${i}.yaml`,
      text: `id: variant-${i}\nname: Variant ${i}\ndescription: bench\nrule:\n  ${rule}\n`,
    };
  });
}

/** A seeded PRNG so every run measures the same profiles. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

function customerEvents(r: () => number): AggregateEvent[] {
  const at = () => NOW - Math.floor(r() * 180 * D);
  const out: AggregateEvent[] = [];
  const n = (max: number) => Math.floor(r() * max);
  for (let i = n(12); i > 0; i--)
    out.push(ev('Order Completed', at(), { total: 20 + r() * 300, order_id: `o${i}` }));
  for (let i = n(60); i > 0; i--) out.push(ev(r() < 0.5 ? 'page' : 'Product Viewed', at()));
  for (let i = n(40); i > 0; i--) {
    const t = at();
    out.push(ev('Email Delivered', t, { send_id: `s${i}` }));
    if (r() < 0.4)
      out.push(ev('Email Opened', t + 60_000, { send_id: `s${i}`, suspected_machine: r() < 0.1 }));
    if (r() < 0.1) out.push(ev('Email Link Clicked', t + 120_000, { send_id: `s${i}` }));
  }
  for (let i = n(4); i > 0; i--) out.push(ev('Product Added', at()));
  if (r() < 0.3) out.push(ev('Cart Abandoned', at()));
  return out;
}

function main(): void {
  const files = shipped();
  const { set, problems } = loadSegmentSet([...files, ...variants(SEGMENTS - (files.length - 1))]);
  if (problems.length > 0) throw new Error(`segments did not load: ${JSON.stringify(problems)}`);
  const r = rng(7);
  const countries = ['FR', 'DE', 'US', 'GB', 'ES'];
  const profiles: { id: string; snapshot: ProfileSnapshot }[] = Array.from(
    { length: PROFILES },
    (_, i) => ({
      id: `c${i}`,
      snapshot: snapshotFrom(set.aggregates, {
        traits: { country: countries[i % countries.length], vip: r() < 0.02, first_name: 'Ada' },
        events: customerEvents(r),
      }),
    }),
  );
  const distributions = new Map(
    set.metrics.map((m) => [
      m.id,
      distributionFromValues(
        profiles.map((p) => metricValue(m, new ProfileView(p.id, p.snapshot)) ?? NaN),
      ),
    ]),
  );
  const bytes =
    profiles.reduce((s, p) => s + JSON.stringify(p.snapshot).length, 0) / profiles.length;

  const run = () => {
    let changes = 0;
    let members = 0;
    const deadline = process.hrtime.bigint() + BigInt(SECONDS * 1e9);
    const start = process.hrtime.bigint();
    while (process.hrtime.bigint() < deadline) {
      for (let i = 0; i < 500; i++) {
        const p = profiles[changes % profiles.length];
        if (p === undefined) continue;
        const input = { customerId: p.id, profile: p.snapshot, now: NOW, distributions };
        const results = set.evaluate(input);
        members += results.filter((x) => x.member).length;
        changes++;
      }
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { changes, seconds, members };
  };
  run(); // warm-up (JIT)
  const full = run();
  const perSecond = (full.changes * set.segments.length) / full.seconds;
  const figures: Figure[] = [
    {
      figure: `segment evaluations/s per core (${set.segments.length} segments, membership + nextFlipAt, JSON parse included)`,
      value: perSecond,
      unit: 'evals/s',
      goal: '>= 50,000',
    },
    {
      figure: 'profile changes/s per core (all segments each)',
      value: full.changes / full.seconds,
      unit: 'changes/s',
    },
    {
      figure: 'mean time per profile change',
      value: (full.seconds / full.changes) * 1e6,
      unit: 'µs',
    },
    { figure: 'mean snapshot size', value: bytes, unit: 'bytes' },
    {
      figure: 'mean memberships per profile',
      value: full.members / full.changes,
      unit: 'segments',
    },
  ];
  printTable('bench:rules — rule evaluation (one core)', figures);
  const file = writeResults('rules', {
    segments: set.segments.length,
    profiles: PROFILES,
    aggregates: set.aggregates.length,
    figures,
  });
  console.log(`\nresults: ${file}`);
}

main();
