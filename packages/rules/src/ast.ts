/** The parsed, validated form of a segment definition. Everything here is plain data. */

/** Types a trait or profile field can have in the catalog. */
export type ValueType = 'string' | 'number' | 'boolean' | 'date' | 'list';

/** A literal in a rule: dates are already epoch milliseconds. */
export type Scalar = string | number | boolean;

/** Comparisons on a number (aggregate values, rates, metric values). */
export type NumberCmp =
  | { op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'; value: number }
  | { op: 'between'; low: number; high: number };

/** Comparisons on a trait, a profile field or an event property. */
export type ValueCmp =
  | { op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'; value: Scalar }
  | { op: 'between'; low: Scalar; high: Scalar }
  | { op: 'in'; values: Scalar[] }
  | { op: 'exists'; value: boolean }
  | { op: 'contains'; value: Scalar }
  /** Dates only: the instant lies within the last `ms` (or in the future). */
  | { op: 'within'; ms: number }
  /** Dates only: the instant lies more than `ms` in the past. */
  | { op: 'not_within'; ms: number };

/** Which events a window covers, relative to the evaluation instant `now`. */
export type Window =
  /** Events with `now - ms < t` (an event at t counts until t + ms, exclusive). */
  | { kind: 'last'; ms: number }
  /** Events since the start of the current UTC calendar month / ISO week (Monday). */
  | { kind: 'calendar'; unit: 'month' | 'week' }
  /** Every event ever folded (all-time totals). */
  | { kind: 'all' };

/** A filter on an event's flattened properties (see `eventProperties`). */
export interface PropertyFilter {
  path: string;
  cmp: ValueCmp;
}

/**
 * What the profile builder maintains for a rule: the events matching `events` and `where`,
 * folded into an `AggregateState` (see aggregates.ts). `id` is derived from the other fields, so
 * two rules asking for the same thing share one aggregate.
 */
export interface AggregateSpec {
  id: string;
  events: string[];
  where: PropertyFilter[];
  /** Numeric property summed/averaged; events without a finite number there are not folded. */
  value: string | null;
  /** Property whose value identifies duplicates (e.g. `send_id`): repeats are not folded. */
  distinct: string | null;
  /** How long entries are kept, by event time: the longest window any loaded rule reads. */
  horizonMs: number;
}

/** A number read from a profile whose population distribution is passed in at evaluation. */
export type Metric =
  | { id: string; kind: 'trait'; name: string }
  | {
      id: string;
      kind: 'aggregate';
      agg: AggregateSpec;
      fn: 'count' | 'sum' | 'avg' | 'last' | 'first';
    };

export type PercentileTest =
  /** Value strictly above the population's (100 − percent)th percentile. */
  | { kind: 'top'; percent: number }
  /** Value strictly above the population's Pth percentile. */
  | { kind: 'above'; percentile: number }
  /** Quintile (1–5: 1 + how many of the 20/40/60/80th percentiles the value is above) in range. */
  | { kind: 'quintile'; low: number; high: number };

/*
 * Hysteresis: a leaf with `stay` is tested with `cmp`/`test` while the customer is outside its
 * segment and with the looser `stay` while inside (`exit_below:` / `exit_above:` /
 * `exit_below_top_percent:` / `exit_below_percentile:` in YAML), so a value hovering at the
 * boundary does not enter and exit on every change.
 */
export type Condition =
  | { kind: 'all'; of: Condition[] }
  | { kind: 'any'; of: Condition[] }
  | { kind: 'not'; of: Condition }
  | {
      kind: 'value';
      /** `traits.<name>` or a typed snapshot field (`email`, `firstSeenAt`...). */
      source: 'trait' | 'field';
      name: string;
      /** Dotted path inside the trait's JSON value (`consent.email_marketing` → ['email_marketing']). */
      subPath: string[];
      type: ValueType;
      cmp: ValueCmp;
    }
  | { kind: 'count'; agg: AggregateSpec; window: Window; cmp: NumberCmp; stay?: NumberCmp }
  | {
      kind: 'stat';
      fn: 'sum' | 'avg';
      agg: AggregateSpec;
      window: Window;
      cmp: NumberCmp;
      stay?: NumberCmp;
    }
  /** within: the last matching event is within `ms`; none_in: no matching event in the last `ms`. */
  | { kind: 'recency'; agg: AggregateSpec; mode: 'within' | 'none_in'; ms: number }
  /** The last `agg` event is later than the last `than` event (or no `than` event ever). */
  | { kind: 'after'; agg: AggregateSpec; than: AggregateSpec }
  | {
      kind: 'ratio';
      numerator: AggregateSpec;
      denominator: AggregateSpec;
      window: Window | { kind: 'count'; n: number };
      minDenominator: number;
      cmp: NumberCmp;
      stay?: NumberCmp;
    }
  | { kind: 'percentile'; metric: Metric; test: PercentileTest; stay?: PercentileTest }
  | { kind: 'segment'; id: string }
  /** Stable hash of (customer id, salt) into 0–99; true when `from <= bucket < to`. */
  | { kind: 'bucket'; salt: string; from: number; to: number };

/** A validated segment definition (before compilation). */
export interface SegmentDefinition {
  id: string;
  name: string;
  description: string;
  rule: Condition;
  /** The file it came from, and the line of each `segment:` reference (for cycle errors). */
  file: string;
  segmentRefs: { id: string; line: number; column: number }[];
  /** sha256 (hex) of the canonical definition: edits that change nothing semantic keep it. */
  hash: string;
}
