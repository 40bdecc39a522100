import type { ProfileChange, PulseEvent } from '@pulse/contracts';
import type { SegmentSet } from '@pulse/rules';
import {
  applyEvent,
  emptyCart,
  markFired,
  type CartState,
} from '@pulse/cart-abandonment-timer/dist/cart-state';
import { decideFire, plannedTimer } from '@pulse/cart-abandonment-timer/dist/timer-plan';
import { NO_CATEGORY_SYNONYMS } from '@pulse/ingest/dist/categories';
import { normalizeMessage } from '@pulse/ingest/dist/normalize';
import { segmentMessageSchema } from '@pulse/ingest/dist/segment-schema';
import { changeRecord } from '@pulse/profile-builder/dist/change-records';
import { foldEvent } from '@pulse/profile-builder/dist/fold';
import type { FoldOptions } from '@pulse/profile-builder/dist/fold-options';
import { eventIdentities } from '@pulse/profile-builder/dist/identity-ids';
import { ruleAggregateOps } from '@pulse/profile-builder/dist/rule-aggregates';
import { MemoryProfile } from './memory-profile';
import type { ScenarioStep } from './scenario';

/** Ingest's limits, as INGEST_MAX_FUTURE_SKEW / INGEST_MAX_ORDER_TOTAL default them. */
const INGEST = { maxFutureSkewMs: 3_600_000, maxOrderTotal: 1_000_000 };
const EVENTS_TOPIC = 'events.v1';

export interface PipelineOptions {
  set: SegmentSet;
  foldOptions: FoldOptions;
  cartStages: readonly number[];
}

/** Why a step's event went no further (what the live service would quarantine or dead-letter). */
export class StepRejected extends Error {
  constructor(
    readonly stage: 'ingest' | 'profile-builder',
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}

/**
 * The stages upstream of the segmenter, each by its own service's pure code: ingest's
 * normalization (a Segment message → PulseEvent), the profile builder's fold (ops applied to a
 * `MemoryProfile`, the rule aggregates, the change record) and the cart-abandonment timer's cart
 * fold and timer plan. Customers are canonical `u:<userId>` ids (no identity merges).
 */
export class UpstreamPipeline {
  private readonly profiles = new Map<string, MemoryProfile>();
  private readonly carts = new Map<string, CartState>();
  private offset = 0;
  private ids = 0;

  constructor(private readonly options: PipelineOptions) {}

  /** A scenario step through ingest, as a server source would send it. */
  ingest(step: ScenarioStep): PulseEvent {
    const { action } = step;
    this.ids += 1;
    const base = {
      userId: step.customer,
      messageId: `sim-${this.ids}`,
      timestamp: new Date(step.at).toISOString(),
    };
    const message =
      action.kind === 'track'
        ? { ...base, type: 'track', event: action.event, properties: action.properties }
        : action.kind === 'page'
          ? { ...base, type: 'page', name: action.name ?? undefined, properties: action.properties }
          : { ...base, type: 'identify', traits: action.traits };
    const parsed = segmentMessageSchema.safeParse(message);
    if (!parsed.success)
      throw new StepRejected('ingest', parsed.error.issues[0]?.message ?? 'invalid');
    const result = normalizeMessage(parsed.data, {
      source: { id: 'simulate', trust: 'server' },
      receivedAt: step.at,
      ...INGEST,
      categories: NO_CATEGORY_SYNONYMS,
      newId: () => `sim-${this.ids}`,
    });
    if (!result.ok)
      throw new StepRejected('ingest', `${result.problem.field} ${result.problem.reason}`);
    return result.value;
  }

  /** The profile builder's fold of one event: the profile-changes.v1 record it publishes. */
  fold(event: PulseEvent, customerId: string, at: number): ProfileChange {
    const folded = foldEvent(event, this.options.foldOptions);
    if (!folded.ok)
      throw new StepRejected(
        'profile-builder',
        folded.problems.map((p) => `${p.path} ${p.message}`).join('; '),
      );
    const profile = this.profiles.get(customerId) ?? new MemoryProfile();
    this.profiles.set(customerId, profile);
    const before = profile.dump().ids.length;
    const rules = ruleAggregateOps(
      this.options.set.aggregates,
      { token: '', values: profile.ruleAggregates() },
      event,
    );
    const identities = eventIdentities(event).map((member) => ({
      op: 'sadd' as const,
      key: 'ids' as const,
      member,
    }));
    profile.apply([...folded.ops, ...identities, ...rules.sets]);
    const dump = profile.dump();
    const changed = new Set([...folded.changed, ...rules.changed]);
    if (dump.ids.length > before) changed.add('identities');
    return changeRecord({
      customerId,
      version: profile.currentVersion,
      dump,
      event,
      changed: [...changed].sort(),
      at,
    });
  }

  /** The cart timer's fold of an events.v1 record; answers when its timer is due (or none). */
  cart(event: PulseEvent, key: string): number | undefined {
    this.offset += 1;
    const state = applyEvent(this.carts.get(key) ?? emptyCart(), event, {
      topic: EVENTS_TOPIC,
      partition: 0,
      offset: String(this.offset),
    });
    this.carts.set(key, state);
    return plannedTimer(state, this.options.cartStages)?.dueAt;
  }

  /** The cart timer firing at its due instant: the Cart Abandoned it publishes, and the next due. */
  fireCart(key: string, dueAt: number): { event?: PulseEvent; nextDue?: number } {
    const state = this.carts.get(key) ?? emptyCart();
    const decision = decideFire({
      customerId: key,
      state,
      dueAt,
      stages: this.options.cartStages,
      firedAt: dueAt,
    });
    if (decision.kind === 'skip') return { nextDue: decision.planned?.dueAt };
    const next = markFired(state, decision.activityAt, decision.stage);
    this.carts.set(key, next);
    return { event: decision.event, nextDue: plannedTimer(next, this.options.cartStages)?.dueAt };
  }
}
