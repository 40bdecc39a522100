/** A customer's state as the scripts return it (see scripts/common.lua `dump_state`). */
export interface StateDump {
  p: Record<string, string>;
  days: Record<string, string>;
  cart: Record<string, string>;
  wish: Record<string, string>;
  cats: Record<string, string>;
  /** product id → last viewed at */
  recent: Record<string, number>;
  /** Views before this are trimmed from `recent`. */
  recentCut?: number;
  bought: string[];
  ids: string[];
  /** Unique opened / clicked sends: the members in a full dump, else only their count. */
  opened: { count: number; members?: string[] };
  clicked: { count: number; members?: string[] };
  /** Full dumps only. */
  marks?: Record<string, number>;
  /** The `ord` hash: per-order records (see order-records.ts). */
  orders?: Record<string, string>;
  /** Web sessions kept (scripts/sessions.lua): start → end, event time (ms). */
  sessions: Record<string, number>;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

function pairs(value: unknown): Record<string, string> {
  const flat = strings(value);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string; // i+1 < length
  return out;
}

function scores(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(pairs(value))) out[k] = Number(v);
  return out;
}

function withoutMeta(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !k.startsWith('!')));
}

/** The trim point of the recent-products zset (its `!cut` member), if any. */
export function recentCut(raw: unknown): number | undefined {
  const all = scores(raw);
  return all['!cut'];
}

function uniques(value: unknown, full: boolean): { count: number; members?: string[] } {
  const list = strings(value);
  return full ? { count: list.length, members: list } : { count: Number(list[0] ?? 0) };
}

/** Decodes `dump_state(full)`'s nested arrays. */
export function decodeDump(raw: unknown, full: boolean): StateDump {
  const parts = Array.isArray(raw) ? raw : [];
  const dump: StateDump = {
    p: pairs(parts[0]),
    days: pairs(parts[1]),
    cart: pairs(parts[2]),
    wish: pairs(parts[3]),
    cats: pairs(parts[4]),
    recent: withoutMeta(scores(parts[5])),
    bought: strings(parts[6]).sort(),
    ids: strings(parts[7]).sort(),
    recentCut: recentCut(parts[5]),
    opened: uniques(parts[8], full),
    clicked: uniques(parts[9], full),
    sessions: scores(parts[12]),
  };
  if (full) {
    dump.marks = scores(parts[10]);
    dump.orders = pairs(parts[11]);
  }
  return dump;
}

/** An empty customer (a fresh id). */
export function emptyDump(): StateDump {
  return decodeDump([], false);
}
