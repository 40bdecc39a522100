import type { NumberCmp, Scalar, ValueCmp, ValueType } from './ast';

/** Reads a stored value as the catalog type says, or `undefined` when it does not fit. */
export function coerce(type: ValueType, raw: unknown): Scalar | unknown[] | undefined {
  if (raw === null || raw === undefined) return undefined;
  switch (type) {
    case 'string':
      return typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : undefined;
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'date': {
      const t = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
      return Number.isFinite(t) ? t : undefined;
    }
    case 'list':
      return Array.isArray(raw) ? raw : undefined;
  }
}

function ordered(a: unknown, b: Scalar): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/**
 * Applies a comparison to a coerced value. A missing value satisfies only `exists: false` and
 * `ne` ("country is not US" includes customers with no country).
 */
export function compareValue(
  value: Scalar | unknown[] | undefined,
  cmp: ValueCmp,
  now: number,
): boolean {
  if (cmp.op === 'exists') return (value !== undefined) === cmp.value;
  if (value === undefined) return cmp.op === 'ne';
  if (Array.isArray(value)) {
    if (cmp.op === 'contains') return value.includes(cmp.value);
    if (cmp.op === 'in') return value.some((v) => cmp.values.includes(v as Scalar));
    return false;
  }
  switch (cmp.op) {
    case 'eq':
      return value === cmp.value;
    case 'ne':
      return value !== cmp.value;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const d = ordered(value, cmp.value);
      if (d === undefined) return false;
      return cmp.op === 'lt' ? d < 0 : cmp.op === 'lte' ? d <= 0 : cmp.op === 'gt' ? d > 0 : d >= 0;
    }
    case 'between': {
      const lo = ordered(value, cmp.low);
      const hi = ordered(value, cmp.high);
      return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
    }
    case 'in':
      return cmp.values.includes(value);
    case 'contains':
      return (
        typeof value === 'string' && typeof cmp.value === 'string' && value.includes(cmp.value)
      );
    case 'within':
      return typeof value === 'number' && now - value < cmp.ms;
    case 'not_within':
      return typeof value === 'number' && now - value >= cmp.ms;
  }
}

/** For `within` / `not_within` on a date: when the answer changes with time alone (else Infinity). */
export function valueFlipAt(
  value: Scalar | unknown[] | undefined,
  cmp: ValueCmp,
  now: number,
): number {
  if ((cmp.op !== 'within' && cmp.op !== 'not_within') || typeof value !== 'number')
    return Infinity;
  const edge = value + cmp.ms;
  return edge > now ? edge : Infinity;
}

/** Applies a numeric comparison; `undefined` (e.g. an average of nothing) is never true. */
export function compareNumber(value: number | undefined, cmp: NumberCmp): boolean {
  if (value === undefined || Number.isNaN(value)) return false;
  switch (cmp.op) {
    case 'eq':
      return value === cmp.value;
    case 'ne':
      return value !== cmp.value;
    case 'lt':
      return value < cmp.value;
    case 'lte':
      return value <= cmp.value;
    case 'gt':
      return value > cmp.value;
    case 'gte':
      return value >= cmp.value;
    case 'between':
      return value >= cmp.low && value <= cmp.high;
  }
}
