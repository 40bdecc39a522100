import type { ProfileSnapshot } from '@pulse/contracts';
import { parseAggregate } from './aggregates';
import type { AggregateState } from './aggregates';

/**
 * A profile snapshot with its JSON-encoded traits and aggregates parsed lazily, once: build one
 * per profile change and evaluate every segment against it.
 */
export class ProfileView {
  private readonly traits = new Map<string, unknown>();
  private readonly aggregates = new Map<string, AggregateState | undefined>();

  constructor(
    readonly customerId: string,
    readonly profile: ProfileSnapshot,
  ) {}

  /** The parsed JSON value of trait `name` (`undefined` when absent). */
  trait(name: string): unknown {
    if (this.traits.has(name)) return this.traits.get(name);
    const text = this.profile.traits[name];
    let value: unknown;
    if (text !== undefined) {
      try {
        value = JSON.parse(text) as unknown;
      } catch {
        value = text; // a bare string stored without JSON quoting
      }
    }
    this.traits.set(name, value);
    return value;
  }

  /** The state of aggregate `id` (`undefined` when the profile has none yet). */
  aggregate(id: string): AggregateState | undefined {
    if (this.aggregates.has(id)) return this.aggregates.get(id);
    const text = this.profile.aggregates[id];
    const state = text === undefined ? undefined : parseAggregate(text);
    this.aggregates.set(id, state);
    return state;
  }
}
