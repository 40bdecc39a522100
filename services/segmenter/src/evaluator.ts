import type { ProfileSnapshot } from '@pulse/contracts';
import { ProfileView, metricValue, type Distributions, type SegmentSet } from '@pulse/rules';
import type { Verdict } from './store';

export interface EvaluationRequest {
  customerId: string;
  snapshot: ProfileSnapshot;
  /** Paths the change records since the last evaluation name; `null` = unknown (evaluate all). */
  changed: readonly string[] | null;
  /** Segments the customer is stored as a member of (for `segment:` rules not evaluated now). */
  memberships: ReadonlySet<string>;
  distributions: Distributions;
  now: number;
}

export interface Evaluation {
  verdicts: Verdict[];
  /** Metric id → the customer's current value (undefined: not in that population). */
  metricValues: Map<string, number | undefined>;
  /** How many segments were evaluated. */
  evaluated: number;
}

/**
 * Evaluates only the segments whose rules read what changed (the dependency index), or all of
 * them when the change is unknown. Also yields the customer's metric values, so the population
 * distributions stay current. Pure.
 */
export function evaluateChange(set: SegmentSet, req: EvaluationRequest): Evaluation {
  const view = new ProfileView(req.customerId, req.snapshot);
  const ids = req.changed === null ? undefined : set.affectedBy(req.changed);
  const results =
    ids !== undefined && ids.length === 0
      ? []
      : set.evaluate(
          {
            customerId: req.customerId,
            profile: view,
            now: req.now,
            distributions: req.distributions,
            memberships: req.memberships,
          },
          ids,
        );
  const metricValues = new Map<string, number | undefined>();
  for (const metric of set.metrics) {
    // The population of an aggregate metric is the customers with at least one such event.
    const inPopulation = metric.kind === 'trait' || (view.aggregate(metric.agg.id)?.n ?? 0) > 0;
    metricValues.set(metric.id, inPopulation ? metricValue(metric, view) : undefined);
  }
  return {
    verdicts: results.map((r) => ({
      segmentId: r.id,
      version: r.version,
      member: r.member,
      nextFlipAt: r.nextFlipAt,
    })),
    metricValues,
    evaluated: results.length,
  };
}
