import { readFileSync } from 'node:fs';
import { PulseError } from '@pulse/core';
import { parse } from 'yaml';
import type { Source, SourceDirectory } from './sources';

/** The store platforms whose webhooks ingest verifies and maps. */
export type StorePlatform = 'shopify' | 'woocommerce';

/** One store from config/stores.yaml. */
export interface Store {
  /** The order system's name in derived event ids, and the webhook URL's last part. */
  readonly id: string;
  readonly platform: StorePlatform;
  /** The webhook signing secret (INGEST_STORE_SECRETS); unset = the store's webhook is off. */
  readonly secret: string | undefined;
  /** writeKey sources whose `order_id`s are this store's (their Order events share its ids). */
  readonly sources: readonly string[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PLATFORMS: readonly StorePlatform[] = ['shopify', 'woocommerce'];

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string' && v.trim() !== '');

function readStore(
  entry: unknown,
  i: number,
  secrets: ReadonlyMap<string, string>,
  problems: string[],
): Store | undefined {
  const at = `stores[${i}]`;
  if (entry === null || typeof entry !== 'object') {
    problems.push(`${at} must be a mapping`);
    return undefined;
  }
  const e = entry as Record<string, unknown>; // checked to be an object just above
  const before = problems.length;
  if (typeof e.id !== 'string' || !ID.test(e.id)) {
    problems.push(`${at}.id must be letters, digits, ".", "_" or "-" (at most 64)`);
  }
  if (!PLATFORMS.includes(e.platform as StorePlatform)) {
    problems.push(`${at}.platform must be one of ${PLATFORMS.join(', ')}`);
  }
  const sources = e.sources ?? [];
  if (!isStringList(sources)) problems.push(`${at}.sources must list writeKey source ids`);
  if (problems.length > before) return undefined;
  const id = e.id as string; // validated above
  return {
    id,
    platform: e.platform as StorePlatform,
    secret: secrets.get(id),
    sources: (sources as string[]).map((s) => s.trim()),
  };
}

/**
 * `storeId:secret` entries (INGEST_STORE_SECRETS) by store id. The secret may contain `:`.
 */
export function parseStoreSecrets(entries: readonly string[] | undefined): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const entry of entries ?? []) {
    const colon = entry.indexOf(':');
    if (colon > 0 && colon < entry.length - 1) {
      secrets.set(entry.slice(0, colon).trim(), entry.slice(colon + 1));
    } else {
      throw new PulseError(
        'STORE_CONFIG_INVALID',
        'INGEST_STORE_SECRETS entries must be storeId:secret',
      );
    }
  }
  return secrets;
}

/**
 * Parses config/stores.yaml (`stores: [{id, platform, sources}]`) with the secrets of
 * INGEST_STORE_SECRETS. Every problem (bad entry, duplicate id, a source claimed by two stores,
 * a secret for no store) goes into one `STORE_CONFIG_INVALID` error naming the file.
 */
export function parseStores(
  text: string,
  origin: string,
  secrets: ReadonlyMap<string, string> = new Map(),
): Store[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new PulseError('STORE_CONFIG_INVALID', `${origin}: not YAML: ${String(err)}`);
  }
  const list: unknown =
    doc !== null && typeof doc === 'object' && 'stores' in doc ? doc.stores : undefined;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    throw new PulseError('STORE_CONFIG_INVALID', `${origin}: "stores" must be a list`);
  }
  const problems: string[] = [];
  const stores: Store[] = [];
  const sourceOwner = new Map<string, string>();
  for (const [i, entry] of list.entries()) {
    const store = readStore(entry, i, secrets, problems);
    if (!store) continue;
    if (stores.some((s) => s.id === store.id)) problems.push(`store id "${store.id}" repeats`);
    for (const source of store.sources) {
      const owner = sourceOwner.get(source);
      if (owner) problems.push(`source "${source}" is listed by "${owner}" and "${store.id}"`);
      else sourceOwner.set(source, store.id);
    }
    stores.push(store);
  }
  for (const id of secrets.keys()) {
    if (!stores.some((s) => s.id === id))
      problems.push(`INGEST_STORE_SECRETS names "${id}", not a store`);
  }
  if (problems.length > 0) {
    throw new PulseError('STORE_CONFIG_INVALID', `${origin}: ${problems.join('; ')}`);
  }
  return stores;
}

/** Reads the stores file at start; a missing or bad file fails the start naming the file. */
export function loadStores(file: string, secrets: ReadonlyMap<string, string>): Store[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PulseError(
      'STORE_CONFIG_INVALID',
      `INGEST_STORES_FILE "${file}" cannot be read: ${String(err)}`,
    );
  }
  return parseStores(text, file, secrets);
}

/** The source a store's webhooks publish as: trusted, its orders named by the store. */
export function storeSource(store: Store): Source {
  return { id: `${store.platform}:${store.id}`, trust: 'server', orderSystem: store.id };
}

/** `directory` whose sources carry the order system of the store that lists them. */
export function withOrderSystems(
  directory: SourceDirectory,
  stores: readonly Store[],
): SourceDirectory {
  const systemOf = new Map(stores.flatMap((s) => s.sources.map((src) => [src, s.id] as const)));
  const attach = (source: Source): Source => {
    const orderSystem = systemOf.get(source.id);
    return orderSystem === undefined ? source : { ...source, orderSystem };
  };
  return {
    sources: directory.sources.map(attach),
    authenticate(writeKey) {
      const source = directory.authenticate(writeKey);
      return source && attach(source);
    },
  };
}
