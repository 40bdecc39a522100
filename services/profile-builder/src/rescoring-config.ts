import { defineConfig, env, type ConfigOf } from '@pulse/config';

/**
 * The churn rescoring job's environment (rescoring.ts): on only when PROFILE_CHURN_MODEL loads.
 * A slice of profile-builder's config (`config.rescoring`).
 */
export const rescoringConfigSpec = defineConfig({
  after: env.duration({
    env: 'PROFILE_RESCORE_AFTER',
    default: '24h',
    min: 1000,
    doc: 'A churnRisk older than this is recomputed at the current time (customers who went quiet).',
  }),
  interval: env.duration({
    env: 'PROFILE_RESCORE_INTERVAL',
    default: '1m',
    min: 10,
    doc: 'How often each copy looks for due churn scores.',
  }),
  batch: env.int({
    env: 'PROFILE_RESCORE_BATCH',
    default: 200,
    min: 1,
    doc: 'Customers claimed per round; a tick runs rounds while full ones come back (at most 50).',
  }),
  lease: env.duration({
    env: 'PROFILE_RESCORE_LEASE',
    default: '5m',
    min: 100,
    doc: 'A claimed customer is due again after this when its copy died before finishing.',
  }),
  minChange: env.number({
    env: 'PROFILE_RESCORE_MIN_CHANGE',
    default: 0.02,
    min: 0,
    max: 1,
    doc: 'Smallest churnRisk change a rescore publishes (crossing 0.7, the At risk threshold, always is).',
  }),
});

export type RescoringConfig = ConfigOf<typeof rescoringConfigSpec>;
