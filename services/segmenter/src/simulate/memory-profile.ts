import { emptyDump, type StateDump } from '@pulse/profile-builder/dist/dump';
import type { Op } from '@pulse/profile-builder/dist/ops';

/**
 * One customer's profile-builder state in memory, as far as the rules read it: the `p` hash
 * (`firstSeenAt`, `lastSeenAt`, traits `t.<name>`, rule aggregates `g.<id>`) and the identity
 * set, written by the fold's ops with `apply-ops.lua`'s semantics (max/min, last write by event
 * time, set union). The builder's own sections (purchases, browsing, cart, days, ...) are not
 * reproduced: no rule reads them (rules read `aggregates[<spec id>]`, folded by `@pulse/rules`),
 * and their ops are the builder's internal business, free to change. One writer, each event
 * applied once, so marks, `aggCheck` tokens and merges are left out.
 */
export class MemoryProfile {
  private readonly p = new Map<string, string>();
  private readonly ids = new Set<string>();
  private version = 0;

  get currentVersion(): number {
    return this.version;
  }

  private apply1(op: Op): void {
    switch (op.op) {
      case 'max':
      case 'min': {
        if (op.key !== 'p') return;
        const cur = this.p.get(op.field);
        const better = op.op === 'max' ? op.value > Number(cur) : op.value < Number(cur);
        if (cur === undefined || better) this.p.set(op.field, String(op.value));
        return;
      }
      case 'lww': {
        if (op.key !== 'p') return;
        const at = this.p.get(`@${op.field}`);
        if (at !== undefined && op.at < Number(at)) return;
        this.p.set(op.field, op.value);
        this.p.set(`@${op.field}`, String(op.at));
        return;
      }
      case 'sadd':
        if (op.key === 'ids') this.ids.add(op.member);
        return;
      case 'aggSet':
        this.p.set(`g.${op.id}`, op.value);
        return;
      default:
        return; // the builder's own sections: not read by rules
    }
  }

  /** Applies one event's ops in order and counts a profile version, as apply-ops.lua does. */
  apply(ops: readonly Op[]): void {
    for (const op of ops) this.apply1(op);
    this.version += 1;
  }

  /** The state as `dump_state` returns it, with the sections the rules read filled in. */
  dump(): StateDump {
    return { ...emptyDump(), p: Object.fromEntries(this.p), ids: [...this.ids].sort() };
  }

  /** The rule aggregates as the fold reads them (`g.<id>` fields). */
  ruleAggregates(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [f, v] of this.p) if (f.startsWith('g.')) out[f.slice(2)] = v;
    return out;
  }
}
