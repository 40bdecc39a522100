import { createHash, timingSafeEqual } from 'node:crypto';
import { PulseError } from '@pulse/core';
import type { SourcePolicy, Trust } from './source-policy';

export type { Trust } from './source-policy';

/** One configured sender. */
export interface Source {
  readonly id: string;
  readonly trust: Trust;
  /**
   * The store whose order ids this source sends (config/stores.yaml), used in derived order
   * event ids; unset means the source id itself.
   */
  readonly orderSystem?: string;
  /** What it may send (config/sources.yaml); unset = the default of its trust. */
  readonly policy?: SourcePolicy;
}

interface KeyedSource extends Source {
  readonly digest: Buffer;
}

/** Finds the source a writeKey belongs to, comparing in constant time. */
export interface SourceDirectory {
  authenticate(writeKey: string | undefined): Source | undefined;
  readonly sources: readonly Source[];
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Parses `sourceId:writeKey:trust` entries (INGEST_WRITE_KEYS). Throws INVALID_WRITE_KEYS
 * naming the entry that does not parse.
 */
export function parseSources(entries: readonly string[]): SourceDirectory {
  const keyed: KeyedSource[] = entries.map((entry, i) => {
    const [id, key, trust = 'server', ...rest] = entry.split(':');
    if (!id || !key || rest.length > 0 || (trust !== 'browser' && trust !== 'server')) {
      throw new PulseError(
        'INVALID_WRITE_KEYS',
        `INGEST_WRITE_KEYS entry ${i + 1} must be sourceId:writeKey:browser|server`,
      );
    }
    return { id, trust, digest: sha256(key) };
  });
  return {
    sources: keyed.map(({ id, trust }) => ({ id, trust })),
    authenticate(writeKey) {
      if (writeKey === undefined || writeKey === '') return undefined;
      // Equal-length digests make timingSafeEqual applicable and hide the key's length;
      // every configured key is compared so the time does not depend on which one matched.
      const digest = sha256(writeKey);
      let found: KeyedSource | undefined;
      for (const source of keyed) {
        if (timingSafeEqual(source.digest, digest) && !found) found = source;
      }
      return found ? { id: found.id, trust: found.trust } : undefined;
    },
  };
}

/** The writeKey of `Authorization: Basic base64(writeKey:)`, if the header is one. */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
}
