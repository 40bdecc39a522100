import type { ProfileChange } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import type { Redis } from '@pulse/redis';
import type { AggregateSpec } from '@pulse/rules';
import type { Registry } from 'prom-client';
import type { ProfileKeys } from './keys';
import type { PredictiveTraits } from './predictive-traits';
import { createRescorer, type Rescorer } from './rescoring';
import type { RescoringConfig } from './rescoring-config';
import { createRescoringMetrics } from './rescoring-metrics';
import { createRescoreStore } from './rescoring-store';
import type { ProfileStore } from './store';

export interface RescoringDeps {
  config: RescoringConfig;
  predictive: PredictiveTraits;
  store: ProfileStore;
  redis: Redis;
  keys: ProfileKeys;
  clock: Clock;
  logger: Logger;
  registry?: Registry;
  /** Session aggregates of the loaded segments, so rescored records carry them too. */
  sessionSpecs?: readonly AggregateSpec[];
  /** Sends change records as they are (the rescorer scores them itself). */
  publish(changes: ProfileChange[]): Promise<void>;
}

/** The churn rescoring job when a churn model loaded, else undefined (nothing to rescore). */
export function createChurnRescoring(deps: RescoringDeps): Rescorer | undefined {
  if (!deps.predictive.churn) return undefined;
  return createRescorer({
    store: deps.store,
    queue: createRescoreStore(deps.redis, deps.keys),
    score: deps.predictive.forChange,
    publish: deps.publish,
    config: deps.config,
    clock: deps.clock,
    logger: deps.logger,
    metrics: createRescoringMetrics(deps.registry),
    sessionSpecs: deps.sessionSpecs,
  });
}
