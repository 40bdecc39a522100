import type { StateDump } from './dump';
import { KEY_INDEX } from './keys';

/**
 * Customers' states as last seen in Redis, kept in memory so a change record is built without
 * reading the whole state back: `apply-ops.lua` in 'log' mode answers only the writes it made,
 * and they are replayed here onto the cached state.
 *
 * A cached state is trusted only while its version chain holds: an applied change must answer
 * exactly the next version, anything else exactly the cached one. A gap means another writer
 * (a second consumer, a merge) changed the customer in between: the entry is dropped and the
 * state is read whole again. Least recently used entries are evicted past `capacity`.
 */
export interface CachedState {
  version: number;
  dump: StateDump;
}

const HASHES: Record<number, 'p' | 'days' | 'cart' | 'wish' | 'cats'> = {
  [KEY_INDEX.p]: 'p',
  [KEY_INDEX.days]: 'days',
  [KEY_INDEX.cart]: 'cart',
  [KEY_INDEX.wish]: 'wish',
  [KEY_INDEX.cats]: 'cats',
};

function insertSorted(list: string[], member: string): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as string) < member) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== member) list.splice(lo, 0, member);
}

function removeSorted(list: string[], member: string): void {
  const i = list.indexOf(member);
  if (i >= 0) list.splice(i, 1);
}

/**
 * Replays an `apply-ops.lua` write log — triples (key index, field, value), a negative key index
 * for a deletion — onto a state dump, in place.
 */
export function applyWriteLog(dump: StateDump, log: readonly unknown[]): void {
  for (let i = 0; i + 2 < log.length; i += 3) {
    const code = Number(log[i]);
    const field = String(log[i + 1]);
    const value = log[i + 2];
    const ki = code < 0 ? -code : code;
    const hash = HASHES[ki];
    if (hash) {
      if (code < 0) delete dump[hash][field];
      else dump[hash][field] = String(value);
      continue;
    }
    switch (ki) {
      case KEY_INDEX.recent:
        if (field === '!cut') {
          if (code > 0) dump.recentCut = Number(value);
        } else if (code < 0) delete dump.recent[field];
        else dump.recent[field] = Number(value);
        break;
      case KEY_INDEX.bought:
        if (code < 0) removeSorted(dump.bought, field);
        else insertSorted(dump.bought, field);
        break;
      case KEY_INDEX.ids:
        if (code < 0) removeSorted(dump.ids, field);
        else insertSorted(dump.ids, field);
        break;
      case KEY_INDEX.eopen:
        if (field === '#') dump.opened = { count: Number(value) };
        break;
      case KEY_INDEX.eclick:
        if (field === '#') dump.clicked = { count: Number(value) };
        break;
      case KEY_INDEX.sess:
        if (code < 0) delete dump.sessions[field];
        else dump.sessions[field] = Number(value);
        break;
      default:
        break;
    }
  }
}

/** A bounded LRU of customer states (see the module doc for when an entry is trusted). */
export class StateCache {
  private readonly entries = new Map<string, CachedState>();
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(customerId: string): boolean {
    return this.entries.has(customerId);
  }

  get(customerId: string): CachedState | undefined {
    return this.entries.get(customerId);
  }

  set(customerId: string, state: CachedState): void {
    if (this.capacity <= 0) return;
    this.entries.delete(customerId);
    this.entries.set(customerId, state);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(customerId: string): void {
    this.entries.delete(customerId);
  }

  /**
   * Follows one apply's answer. `bumps` says whether an applied change raises the version
   * (every marked apply does; acks do not). Returns the entry if it is still trusted.
   */
  follow(
    customerId: string,
    status: 'applied' | 'duplicate' | 'unchanged',
    version: number,
    bumps: boolean,
    log: readonly unknown[] | undefined,
  ): CachedState | undefined {
    const entry = this.entries.get(customerId);
    if (!entry) return undefined;
    const expected = status === 'applied' && bumps ? entry.version + 1 : entry.version;
    if (version !== expected || (status === 'applied' && !log)) {
      this.entries.delete(customerId);
      return undefined;
    }
    if (log) applyWriteLog(entry.dump, log);
    entry.version = version;
    // Touch: most recently used last.
    this.entries.delete(customerId);
    this.entries.set(customerId, entry);
    return entry;
  }
}
