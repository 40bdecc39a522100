/**
 * Key building: the only place key strings are assembled. Every key starts with a prefix (a
 * deployment or test-run namespace) and per-entity keys carry a Redis Cluster hash tag, so all of
 * one customer's keys land in one slot and a Lua script may touch them together.
 */
export interface Keyspace {
  readonly prefix: string;
  /** `<prefix>:{<tag>}:<parts...>`: keys that must share a slot share `tag`. */
  tagged(tag: string, ...parts: string[]): string;
  /** `<prefix>:<parts...>`: a key that stands alone (one slot of its own). */
  plain(...parts: string[]): string;
  /** Pattern matching every key of this keyspace, for cleanup scans. */
  pattern(): string;
}

export function createKeyspace(prefix: string): Keyspace {
  if (!/^[A-Za-z0-9_.:-]+$/.test(prefix)) {
    throw new Error(`redis key prefix "${prefix}" may contain only letters, digits and _ . : -`);
  }
  const clean = (part: string): string => part.replace(/[{}]/g, '_');
  return {
    prefix,
    tagged: (tag, ...parts) => [prefix, `{${clean(tag)}}`, ...parts.map(clean)].join(':'),
    plain: (...parts) => [prefix, ...parts.map(clean)].join(':'),
    pattern: () => `${prefix}:*`,
  };
}
