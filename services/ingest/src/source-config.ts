import { readFileSync } from 'node:fs';
import { PulseError } from '@pulse/core';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { SEGMENT_KINDS } from './segment-schema';
import {
  ANY,
  BROWSER_NEVER_EVENTS,
  BROWSER_NEVER_TRAITS,
  BUILT_IN_DEFAULTS,
  PAGE_CALLS,
  PRODUCT_FIELDS_KEY,
  allows,
  type AllowList,
  type PageCall,
  type PropertyRules,
  type RateLimit,
  type SourcePolicy,
  type Trust,
} from './source-policy';
import type { Source, SourceDirectory } from './sources';

/** config/sources.yaml, read: a policy per listed source, and which listed ids have no key. */
export interface SourcePolicies {
  readonly bySource: ReadonlyMap<string, SourcePolicy>;
  readonly defaults: Readonly<Record<Trust, SourcePolicy>>;
  /** Sources the file lists that INGEST_WRITE_KEYS does not (logged, not fatal). */
  readonly unknown: readonly string[];
}

const POLICY_KEYS = ['calls', 'events', 'traits', 'properties', 'rate'] as const;
const TRUSTS: readonly Trust[] = ['browser', 'server'];

/**
 * Parses config/sources.yaml against the writeKey sources' trust. Every problem (unknown key,
 * bad list, a browser source allowed an order/email event or the `email` trait, a bad rate)
 * comes back as `file:line:column message` in one `SOURCE_CONFIG_INVALID` error.
 */
export function parseSourcePolicies(
  text: string,
  file: string,
  trustOf: (sourceId: string) => Trust | undefined,
): SourcePolicies {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const problems: string[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return `${file}:${pos.line}:${pos.col} ${e.message.split('\n')[0] ?? e.code}`;
  });
  const at = (node: unknown, message: string) => {
    const pos = lines.linePos((node as Node | null)?.range?.[0] ?? 0);
    problems.push(`${file}:${pos.line}:${pos.col} ${message}`);
  };
  const fail = () =>
    new PulseError('SOURCE_CONFIG_INVALID', `${file} is invalid:\n  ${problems.join('\n  ')}`);
  if (problems.length > 0) throw fail();

  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    at(root, "the sources file is a mapping with 'defaults:' and 'sources:'");
    throw fail();
  }
  const read = readerFor(at);
  const defaults = { ...BUILT_IN_DEFAULTS };
  const partial = new Map<string, Partial>();
  const unknown: string[] = [];
  for (const pair of root?.items ?? []) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'defaults' && key !== 'sources') {
      at(pair.key, `unknown key '${key}' (allowed: defaults, sources)`);
      continue;
    }
    if (!isMap(pair.value)) {
      at(pair.value ?? pair.key, `'${key}' must be a mapping`);
      continue;
    }
    for (const entry of pair.value.items) {
      const name = isScalar(entry.key) ? String(entry.key.value) : '';
      if (key === 'defaults') {
        if (!TRUSTS.includes(name as Trust)) {
          at(entry.key, `defaults are per trust: browser or server, not '${name}'`);
          continue;
        }
        const trust = name as Trust;
        defaults[trust] = withFallback(
          read(entry.value, `defaults.${trust}`, trust),
          BUILT_IN_DEFAULTS[trust],
        );
        continue;
      }
      const trust = trustOf(name);
      if (trust === undefined) unknown.push(name);
      // The fallback is resolved after the defaults (they may come later in the file).
      partial.set(name, read(entry.value, `sources.${name}`, trust ?? 'browser'));
    }
  }
  if (problems.length > 0) throw fail();
  const bySource = new Map<string, SourcePolicy>();
  for (const [name, policy] of partial) {
    bySource.set(name, withFallback(policy, defaults[trustOf(name) ?? 'browser']));
  }
  return { bySource, defaults, unknown };
}

/** A policy read from the file: unset parts are `undefined` until the defaults fill them. */
type Partial = { -readonly [K in keyof SourcePolicy]: SourcePolicy[K] | undefined };

function withFallback(policy: Partial, fallback: SourcePolicy): SourcePolicy {
  return {
    calls: policy.calls ?? fallback.calls,
    events: policy.events ?? fallback.events,
    traits: policy.traits ?? fallback.traits,
    properties: policy.properties ?? fallback.properties,
    rate: policy.rate !== undefined ? policy.rate : fallback.rate,
  };
}

type At = (node: unknown, message: string) => void;

/** Reads one policy mapping; unset parts stay undefined until the defaults fill them. */
function readerFor(at: At) {
  const list = (node: unknown, what: string, check?: (name: string, item: unknown) => void) => {
    if (!isSeq(node)) {
      at(node, `${what} must be a list (or [ '*' ] for any)`);
      return undefined;
    }
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const item of node.items) {
      const value = isScalar(item) ? item.value : undefined;
      if (typeof value !== 'string' || value.trim() === '') {
        at(item, `${what} items must be non-empty texts`);
        continue;
      }
      const name = value.trim();
      if (name === '*') return ANY;
      check?.(name, item);
      if (name.endsWith('*')) prefixes.push(name.slice(0, -1));
      else exact.add(name);
    }
    return { any: false, exact, prefixes } satisfies AllowList;
  };
  /** null: `unlimited`. */
  const rate = (node: unknown, what: string): RateLimit | null | undefined => {
    if (isScalar(node) && node.value === 'unlimited') return null;
    if (!isMap(node)) {
      at(node, `${what} must be { per_second: n, burst: n } or 'unlimited'`);
      return undefined;
    }
    const num = (key: string, min: number) => {
      const value = (node as YAMLMap).get(key);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
        at(node, `${what}.${key} must be a number of at least ${min}`);
        return min;
      }
      return value;
    };
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key !== 'per_second' && key !== 'burst') {
        at(pair.key, `unknown key '${key}' in ${what} (allowed: per_second, burst)`);
      }
    }
    return { perSecond: num('per_second', 0.001), burst: num('burst', 1) };
  };
  /**
   * `properties: { '*': [...], 'Product *': [...], 'Product Viewed': [...], page: [...],
   * screen: [...], 'products[]': [...] }`. A browser source may not name a hard-ruled event; an
   * exact event its own `events` list refuses (or `page`/`screen` its `calls` list) is named too
   * (a typo would otherwise leave the real event's properties unchecked).
   */
  const properties = (node: unknown, what: string, trust: Trust) => {
    if (!isMap(node)) {
      at(
        node,
        `${what} must be a mapping of event name (or 'Prefix *', '*', page, screen, '${PRODUCT_FIELDS_KEY}') to a property list`,
      );
      return undefined;
    }
    const byEvent = new Map<string, AllowList>();
    const byPrefix: { prefix: string; list: AllowList }[] = [];
    const byCall: { [C in PageCall]?: AllowList } = {};
    let other: AllowList | undefined;
    let productFields: AllowList | undefined;
    const named: { name: string; node: unknown }[] = [];
    const calls: { name: PageCall; node: unknown }[] = [];
    for (const pair of node.items) {
      const raw = isScalar(pair.key) ? pair.key.value : undefined;
      const name = typeof raw === 'string' ? raw.trim() : '';
      if (name === '') {
        at(pair.key, `${what} keys must be event names, 'Prefix *' patterns or '*'`);
        continue;
      }
      const where = `${what}.${name}`;
      if (trust === 'browser' && BROWSER_NEVER_EVENTS.has(name)) {
        at(pair.key, `${where}: a browser source may never send '${name}' (public writeKey)`);
      }
      const allowed = list(pair.value, where);
      if (!allowed) continue;
      if (name === '*') other = allowed;
      else if (name === PRODUCT_FIELDS_KEY) productFields = allowed;
      else if (PAGE_CALLS.includes(name as PageCall)) {
        byCall[name as PageCall] = allowed;
        calls.push({ name: name as PageCall, node: pair.key });
      } else if (name.endsWith('*')) byPrefix.push({ prefix: name.slice(0, -1), list: allowed });
      else {
        byEvent.set(name, allowed);
        named.push({ name, node: pair.key });
      }
    }
    byPrefix.sort((a, b) => b.prefix.length - a.prefix.length);
    const rules: PropertyRules = { byEvent, byPrefix, other, byCall, productFields };
    return { rules, named, calls };
  };
  return (node: unknown, what: string, trust: Trust): Partial => {
    const policy: Partial = {
      calls: undefined,
      events: undefined,
      traits: undefined,
      properties: undefined,
      rate: undefined,
    };
    let named: { name: string; node: unknown }[] = [];
    let namedCalls: { name: string; node: unknown }[] = [];
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        const where = `${what}.${key}`;
        switch (key as (typeof POLICY_KEYS)[number]) {
          case 'calls':
            policy.calls = list(pair.value, where, (name, item) => {
              if (!SEGMENT_KINDS.includes(name as never))
                at(item, `${where}: '${name}' is not one of ${SEGMENT_KINDS.join(', ')}`);
            });
            break;
          case 'events':
            policy.events = list(pair.value, where, (name, item) => {
              if (trust === 'browser' && BROWSER_NEVER_EVENTS.has(name))
                at(item, `${where}: a browser source may never send '${name}' (public writeKey)`);
            });
            break;
          case 'traits':
            policy.traits = list(pair.value, where, (name, item) => {
              if (trust === 'browser' && BROWSER_NEVER_TRAITS.has(name))
                at(
                  item,
                  `${where}: a browser source may never send '${name}' (profiles merge by it)`,
                );
            });
            break;
          case 'properties': {
            const read = properties(pair.value, where, trust);
            policy.properties = read?.rules;
            named = read?.named ?? [];
            namedCalls = read?.calls ?? [];
            break;
          }
          case 'rate':
            policy.rate = rate(pair.value, where);
            break;
          default:
            at(pair.key, `unknown key '${key}' in ${what} (allowed: ${POLICY_KEYS.join(', ')})`);
        }
      }
    } else if (node !== null && !(isScalar(node) && node.value === null)) {
      at(node, `${what} must be a mapping of ${POLICY_KEYS.join(', ')}`);
    }
    const events = policy.events;
    if (events) {
      for (const entry of named.filter((e) => !allows(events, e.name))) {
        at(
          entry.node,
          `${what}.properties.${entry.name}: '${entry.name}' is not in ${what}.events`,
        );
      }
    }
    const calls = policy.calls;
    if (calls) {
      for (const entry of namedCalls.filter((e) => !allows(calls, e.name))) {
        at(entry.node, `${what}.properties.${entry.name}: '${entry.name}' is not in ${what}.calls`);
      }
    }
    return policy;
  };
}

/** Reads INGEST_SOURCES_FILE; a missing or bad file fails the start. */
export function loadSourcePolicies(
  file: string,
  trustOf: (sourceId: string) => Trust | undefined,
): SourcePolicies {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PulseError(
      'SOURCE_CONFIG_INVALID',
      `INGEST_SOURCES_FILE "${file}" cannot be read: ${String(err)}`,
    );
  }
  return parseSourcePolicies(text, file, trustOf);
}

/** `directory` whose sources carry their policy (listed, else the default of their trust). */
export function withPolicies(
  directory: SourceDirectory,
  policies: SourcePolicies,
): SourceDirectory {
  const attach = (source: Source): Source => ({
    ...source,
    policy: policies.bySource.get(source.id) ?? policies.defaults[source.trust],
  });
  return {
    sources: directory.sources.map(attach),
    authenticate(writeKey) {
      const source = directory.authenticate(writeKey);
      return source && attach(source);
    },
  };
}
