import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal data always gives equal text (and hash). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>; // a plain object from YAML or our own data
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** sha256 hex of the canonical JSON of `value`. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * Stable bucket 0–99 of (customer id, salt): FNV-1a 32-bit over `salt:customerId`. Stable across
 * processes, versions and platforms, so holdouts and A/B arms never move.
 */
export function stableBucket(customerId: string, salt: string): number {
  let h = 0x811c9dc5;
  const text = `${salt}:${customerId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 100;
}
