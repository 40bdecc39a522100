import { createHash } from 'node:crypto';
import { normalizeEmail } from '@pulse/contracts';
import type { Redis } from '@pulse/redis';
import type { RendererKeys } from './keys';

/** Which mail an imported entry stops: marketing only (default), or transactional too. */
export type ListScope = 'marketing' | 'all';

/** An imported list's entry for a recipient. */
export interface ListedEmail {
  source: string;
  scope: ListScope;
}

/** One parsed line: the hashed address it suppresses (`sha256:<hex>` / `md5:<hex>`), or why not. */
export type ListLine = { ok: true; key: string } | { ok: false; message: string } | null;

export { normalizeEmail };

const digest = (algo: 'sha256' | 'md5', text: string) =>
  `${algo}:${createHash(algo).update(text, 'utf8').digest('hex')}`;

/** The keys a recipient is listed under: its normalized address hashed both ways lists come. */
export function listKeysOf(email: string): string[] {
  const n = normalizeEmail(email);
  return [digest('sha256', n), digest('md5', n)];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An address or a hash as found in a list: plain addresses are normalized, then hashed. */
export function listKey(value: string): ListLine {
  const v = value.trim().replace(/^"|"$/g, '');
  if (v === '') return null;
  if (/^[0-9a-fA-F]{64}$/.test(v)) return { ok: true, key: `sha256:${v.toLowerCase()}` };
  if (/^[0-9a-fA-F]{32}$/.test(v)) return { ok: true, key: `md5:${v.toLowerCase()}` };
  if (EMAIL.test(v)) return { ok: true, key: digest('sha256', normalizeEmail(v)) };
  return {
    ok: false,
    message: `"${v.slice(0, 80)}" is neither an email address nor a SHA-256/MD5 hex hash`,
  };
}

const NDJSON_FIELDS = ['email', 'email_sha256', 'sha256', 'email_md5', 'md5', 'hash'];

/**
 * Reads one line of a suppression list. NDJSON: an object with `email`, `sha256`/`email_sha256`,
 * `md5`/`email_md5` or `hash`. CSV: the column named like those (from `header`), else the first.
 * Blank lines and `#` comments give null. Hashes must be of the lower-cased address.
 */
export function parseListLine(line: string, format: 'csv' | 'ndjson', column = 0): ListLine {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return null;
  if (format === 'csv') return listKey(text.split(',')[column] ?? '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'not a JSON object' };
  }
  if (typeof value === 'string') return listKey(value);
  if (value === null || typeof value !== 'object')
    return { ok: false, message: 'not a JSON object' };
  const record = value as Record<string, unknown>; // a parsed JSON object
  const field = NDJSON_FIELDS.find((f) => typeof record[f] === 'string');
  if (!field) return { ok: false, message: `needs one of ${NDJSON_FIELDS.join(', ')}` };
  return listKey(record[field] as string); // checked just above
}

/** The column of a CSV header naming the address or hash, or null when the line is data. */
export function csvHeaderColumn(line: string): number | null {
  const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
  if (cells.some((c) => listKey(c)?.ok)) return null;
  const i = cells.findIndex((c) => NDJSON_FIELDS.includes(c));
  return i >= 0 ? i : 0;
}

/** Imported suppression lists in Redis: hashed addresses only, never the addresses themselves. */
export interface SuppressionList {
  /** Adds hashed entries (idempotent: re-importing a list changes nothing). */
  add(keys: readonly string[], entry: ListedEmail): Promise<void>;
  /** The entry a recipient is listed under, or null. */
  lookup(email: string): Promise<ListedEmail | null>;
}

/** 256 hashes by the first two hex digits of the hash, so no single key grows huge. */
const shardOf = (key: string) => key.slice(key.indexOf(':') + 1, key.indexOf(':') + 3);

export function createSuppressionList(redis: Redis, keys: RendererKeys): SuppressionList {
  const decode = (v: string | null): ListedEmail | null => {
    if (v === null) return null;
    const [scope, ...source] = v.split('|');
    return { scope: scope === 'all' ? 'all' : 'marketing', source: source.join('|') };
  };
  return {
    async add(entries, entry) {
      // Auto-pipelining sends the batch's HSETs in one round trip.
      await Promise.all(
        entries.map((key) =>
          redis.hset(keys.listedEmails(shardOf(key)), key, `${entry.scope}|${entry.source}`),
        ),
      );
    },
    async lookup(email) {
      const found = await Promise.all(
        listKeysOf(email).map((k) => redis.hget(keys.listedEmails(shardOf(k)), k)),
      );
      return decode(found.find((v) => v !== null) ?? null);
    },
  };
}
