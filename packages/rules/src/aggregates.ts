import { unwrapPayload } from '@pulse/contracts';
import type { PulseEvent } from '@pulse/contracts';
import type { AggregateSpec, PropertyFilter } from './ast';
import { canonicalJson, contentHash } from './canonical';
import { coerce, compareValue } from './compare';

/**
 * The state of one aggregate, stored JSON-encoded in `ProfileSnapshot.aggregates[spec.id]`.
 * Time-free (decision 5): windows are applied when read, so replay gives identical state.
 *
 * - `n`, `s`: all-time count and sum of `value` (1 per event when the spec has no value);
 * - `f`, `l`: event time of the first and last folded event;
 * - `e`: `[t, v]` (or `[t, v, key]` with `distinct`) of the events within `horizonMs` of the
 *   latest event time, ascending by `t`, at most `MAX_ENTRIES` (the oldest are dropped first).
 */
export interface AggregateState {
  n: number;
  s: number;
  f: number | null;
  l: number | null;
  e: AggregateEntry[];
}

export type AggregateEntry = [t: number, v: number] | [t: number, v: number, key: string];

/** Entries kept per aggregate: an "at least N" rule is exact for N ≤ this; sums beyond it undercount. */
export const MAX_ENTRIES = 1000;

/** An event as aggregates see it: its type, event time and flattened properties. */
export interface AggregateEvent {
  type: string;
  occurredAt: number;
  properties: Readonly<Record<string, unknown>>;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The aggregate id for these parameters: readable event slug, plus a hash when filtered. */
export function aggregateId(
  events: readonly string[],
  where: readonly PropertyFilter[],
  value: string | null,
  distinct: string | null,
): string {
  const base = [...events].sort().map(slug).join('+');
  if (where.length === 0 && value === null && distinct === null) return base;
  const hash = contentHash({ where: canonicalJson(where), value, distinct }).slice(0, 10);
  return `${base}~${hash}`;
}

/** Builds a spec (id derived from the other fields). */
export function aggregateSpec(
  events: readonly string[],
  where: readonly PropertyFilter[],
  value: string | null,
  distinct: string | null,
  horizonMs: number,
): AggregateSpec {
  const sorted = [...events].sort();
  return {
    id: aggregateId(sorted, where, value, distinct),
    events: sorted,
    where: [...where],
    value,
    distinct,
    horizonMs,
  };
}

/** Whether `event` is one this aggregate folds (type and property filters). */
export function matchesAggregate(spec: AggregateSpec, event: AggregateEvent): boolean {
  if (!spec.events.includes(event.type)) return false;
  for (const f of spec.where) {
    const raw = event.properties[f.path];
    const type =
      typeof raw === 'number' ? 'number' : typeof raw === 'boolean' ? 'boolean' : 'string';
    const v = Array.isArray(raw) ? raw : coerce(type, raw);
    if (!compareValue(v, f.cmp, event.occurredAt)) return false;
  }
  return true;
}

/** The empty state. */
export function emptyAggregate(): AggregateState {
  return { n: 0, s: 0, f: null, l: null, e: [] };
}

/**
 * Folds one event into an aggregate (pure; returns a new state), or returns `null` when the event
 * does not change it (another type, filtered out, no numeric value, or a repeated distinct key).
 */
export function foldAggregate(
  spec: AggregateSpec,
  state: AggregateState | undefined,
  event: AggregateEvent,
): AggregateState | null {
  if (!matchesAggregate(spec, event)) return null;
  let v = 1;
  if (spec.value !== null) {
    const raw = coerce('number', event.properties[spec.value]);
    if (typeof raw !== 'number') return null;
    v = raw;
  }
  const prev = state ?? emptyAggregate();
  const t = event.occurredAt;
  let entry: AggregateEntry = [t, v];
  if (spec.distinct !== null) {
    const key = event.properties[spec.distinct];
    if (key !== undefined && key !== null) {
      const k = String(key);
      if (prev.e.some((x) => x[2] === k)) return null;
      entry = [t, v, k];
    }
  }
  const latest = Math.max(prev.l ?? t, t);
  const cutoff = latest - spec.horizonMs;
  const e = prev.e.filter((x) => x[0] > cutoff);
  if (t > cutoff) {
    let i = e.length;
    while (i > 0 && (e[i - 1]?.[0] ?? 0) > t) i--;
    e.splice(i, 0, entry);
  }
  if (e.length > MAX_ENTRIES) e.splice(0, e.length - MAX_ENTRIES);
  return {
    n: prev.n + 1,
    s: prev.s + v,
    f: prev.f === null ? t : Math.min(prev.f, t),
    l: latest,
    e,
  };
}

/**
 * Folds an event into every aggregate of `specs` over a snapshot's `aggregates` map (JSON text),
 * returning the new map and the `aggregates.<id>` paths that changed — what the profile builder
 * calls per event.
 */
export function foldAggregates(
  specs: readonly AggregateSpec[],
  aggregates: Readonly<Record<string, string>>,
  event: AggregateEvent,
): { aggregates: Record<string, string>; changed: string[] } {
  const out: Record<string, string> = { ...aggregates };
  const changed: string[] = [];
  for (const spec of specs) {
    const text = aggregates[spec.id];
    const prev = text === undefined ? undefined : parseAggregate(text);
    const next = foldAggregate(spec, prev, event);
    if (next === null) continue;
    out[spec.id] = JSON.stringify(next);
    changed.push(`aggregates.${spec.id}`);
  }
  return { aggregates: out, changed };
}

/** Parses stored aggregate text; malformed text reads as empty (never throws). */
export function parseAggregate(text: string): AggregateState {
  try {
    const v = JSON.parse(text) as Partial<AggregateState> | null; // our own JSON, checked below
    if (v === null || typeof v !== 'object' || !Array.isArray(v.e)) return emptyAggregate();
    return { n: v.n ?? 0, s: v.s ?? 0, f: v.f ?? null, l: v.l ?? null, e: v.e };
  } catch {
    return emptyAggregate();
  }
}

function flattenInto(prefix: string, value: unknown, out: Record<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      flattenInto(prefix === '' ? k : `${prefix}.${k}`, v, out);
  } else if (prefix !== '') {
    out[prefix] = value;
  }
}

function parseObject(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * An events.v1 record as aggregates see it: payload fields flattened to dotted paths
 * (`total`, `product.price`, `suspected_machine`), `extra.<key>` for keys of a payload's `extra`
 * JSON, a custom event's `properties` at the top level, plus `source` and `context.*`.
 */
export function toAggregateEvent(event: PulseEvent): AggregateEvent {
  const properties: Record<string, unknown> = { source: event.source };
  flattenInto('context', event.context, properties);
  const { name, value } = unwrapPayload(event.payload);
  if (name === 'CustomPayload') {
    flattenInto('', parseObject(value.properties), properties);
  } else {
    const { extra, ...fields } = value as unknown as Record<string, unknown>; // a payload record
    flattenInto('', fields, properties);
    if (typeof extra === 'string') flattenInto('extra', parseObject(extra), properties);
  }
  return { type: event.type, occurredAt: event.occurredAt, properties };
}
