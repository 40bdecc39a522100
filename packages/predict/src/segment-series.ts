import type { SegmentMembership } from './segment-sizes';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Bucket widths of a size series (UTC hours or days). */
export type SizeBucket = 'hour' | 'day';

/** The width of a bucket in ms. */
export const BUCKET_MS: Readonly<Record<SizeBucket, number>> = { hour: HOUR_MS, day: DAY_MS };

/** Spans up to this long are charted by the hour (at most 72 points), longer ones by the day. */
export const HOURLY_UP_TO_MS = 3 * DAY_MS;

/** Hourly buckets for spans up to three days, daily ones beyond. */
export function bucketFor(spanMs: number): SizeBucket {
  return spanMs <= HOURLY_UP_TO_MS ? 'hour' : 'day';
}

/** One bucket of a segment's size series. */
export interface SizePoint {
  /** Start of the bucket (epoch ms, UTC). */
  at: number;
  /** Members at the end of the bucket. */
  size: number;
  entered: number;
  exited: number;
}

/** Size series of every segment over one common range of buckets. */
export interface SizeSeries {
  bucket: SizeBucket;
  /** First and last bucket start (null when no segment has a step). */
  from: number | null;
  to: number | null;
  segments: Map<string, SizePoint[]>;
}

const floorTo = (at: number, width: number): number => Math.floor(at / width) * width;

/** One segment's points for the buckets [from, to] (bucket starts). */
export function sizePoints(
  m: SegmentMembership,
  from: number,
  to: number,
  bucket: SizeBucket,
): SizePoint[] {
  const width = BUCKET_MS[bucket];
  const points: SizePoint[] = [];
  for (let at = from; at <= to; at += width) points.push({ at, size: 0, entered: 0, exited: 0 });
  for (const step of m.steps) {
    const i = Math.max(0, Math.floor((floorTo(step.at, width) - from) / width));
    const p = points[Math.min(i, points.length - 1)];
    if (!p) continue;
    if (step.delta > 0) p.entered += 1;
    else p.exited += 1;
  }
  let size = m.initial;
  for (const p of points) {
    size += p.entered - p.exited;
    p.size = size;
  }
  return points;
}

/**
 * Segment sizes over time from the reconstructed memberships: one bucket per hour or day
 * (`bucket`, else chosen from the span of all steps), from the first step's bucket to the
 * last's, the same range for every segment so they chart together.
 */
export function segmentSizeSeries(
  memberships: ReadonlyMap<string, SegmentMembership>,
  bucket?: SizeBucket,
): SizeSeries {
  let first = Infinity;
  let last = -Infinity;
  for (const m of memberships.values())
    for (const s of m.steps) {
      first = Math.min(first, s.at);
      last = Math.max(last, s.at);
    }
  if (first > last) return { bucket: bucket ?? 'day', from: null, to: null, segments: new Map() };
  const chosen = bucket ?? bucketFor(last - first);
  const width = BUCKET_MS[chosen];
  const from = floorTo(first, width);
  const to = floorTo(last, width);
  const segments = new Map<string, SizePoint[]>();
  for (const id of [...memberships.keys()].sort()) {
    const m = memberships.get(id) as SegmentMembership; // a key of the map
    segments.set(id, sizePoints(m, from, to, chosen));
  }
  return { bucket: chosen, from, to, segments };
}

/** A segment's size at the end of each hour it changed (the segmenter's `/v1/segments/:id/sizes`). */
export interface HourlySize {
  /** Start of the hour (epoch ms, UTC). */
  hour: number;
  size: number;
}

/**
 * Segment sizes over time from the segmenter's own size history (kept in Redis, so it outlives
 * segment-changes.v1's retention): each bucket holds the last size recorded at or before its
 * end, carried forward over hours without changes. Entered/exited are the net change between
 * buckets (the history keeps sizes, not individual moves).
 */
export function sizeSeriesFromHistory(
  history: ReadonlyMap<string, readonly HourlySize[]>,
  bucket?: SizeBucket,
): SizeSeries {
  const hours = [...history.values()].flatMap((points) => points.map((p) => p.hour));
  if (hours.length === 0)
    return { bucket: bucket ?? 'day', from: null, to: null, segments: new Map() };
  const first = Math.min(...hours);
  const last = Math.max(...hours);
  const chosen = bucket ?? bucketFor(last - first);
  const width = BUCKET_MS[chosen];
  const from = floorTo(first, width);
  const to = floorTo(last, width);
  const segments = new Map<string, SizePoint[]>();
  for (const id of [...history.keys()].sort()) {
    const sorted = [...(history.get(id) ?? [])].sort((a, b) => a.hour - b.hour);
    const points: SizePoint[] = [];
    let i = 0;
    let size = 0;
    for (let at = from; at <= to; at += width) {
      while (i < sorted.length && (sorted[i]?.hour ?? Infinity) < at + width) {
        size = sorted[i]?.size ?? size;
        i += 1;
      }
      const before = points.at(-1)?.size ?? 0;
      points.push({
        at,
        size,
        entered: Math.max(0, size - before),
        exited: Math.max(0, before - size),
      });
    }
    segments.set(id, points);
  }
  return { bucket: chosen, from, to, segments };
}
