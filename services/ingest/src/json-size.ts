/**
 * An upper bound of `Buffer.byteLength(JSON.stringify(value))` without serializing: each UTF-16
 * unit of a string counts 6 bytes (the longest escape, `\uXXXX`; a UTF-8 character is at most 3
 * bytes per unit), a number 24 (the longest JSON number text). The walk stops as soon as the
 * bound passes `budget`, so checking that small events fit a limit costs a fraction of a
 * serialization and allocates nothing.
 */
export function jsonBytesAtMost(value: unknown, budget: number): number {
  let total = 0;
  const walk = (v: unknown): void => {
    if (total > budget) return;
    if (typeof v === 'string') total += v.length * 6 + 2;
    else if (typeof v === 'number') total += 24;
    else if (v === null || typeof v === 'boolean') total += 5;
    else if (Array.isArray(v)) {
      total += 2 + v.length;
      for (const item of v) walk(item);
    } else if (typeof v === 'object') {
      total += 2;
      for (const key in v) {
        total += key.length * 6 + 4;
        walk((v as Record<string, unknown>)[key]);
      }
    }
  };
  walk(value);
  return total;
}

/** Whether `value` serialized as JSON takes at most `maxBytes` (exact when the bound is not enough). */
export function fitsJsonBytes(value: unknown, maxBytes: number): boolean {
  if (jsonBytesAtMost(value, maxBytes) <= maxBytes) return true;
  return Buffer.byteLength(JSON.stringify(value) ?? '') <= maxBytes;
}
