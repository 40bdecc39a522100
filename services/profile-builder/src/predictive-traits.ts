import { readFileSync } from 'node:fs';
import type { ProfileChange } from '@pulse/contracts';
import type { Logger } from '@pulse/core';
import {
  activityOfProfile,
  nextBestOffer,
  parseChurnModel,
  parseOfferModel,
  scoreChurn,
  type ChurnModel,
  type OfferModel,
  type ProfileLike,
} from '@pulse/predict';
import type { ProfileView } from './profile-view';

/**
 * Online scoring of the predictive traits: `churnRisk` (0..1, customers who have ordered) and
 * `nextBestOffer` ({ category, productIds, discount }). The read API scores at read time (so the
 * renderer always sees a fresh score); change records are scored at the change's instant, so a
 * customer who stays silent keeps the score of their last change until something rescores them.
 */
export interface PredictiveTraits {
  forView(view: ProfileView): ProfileView;
  forChange(change: ProfileChange): ProfileChange;
  /** Whether a churn model loaded (the rescoring job runs only then). */
  readonly churn: boolean;
}

/** The snapshot sections the scores are computed from (features.ts, the offer model). */
const SCORED_FROM = [
  'aggregates.purchases',
  'aggregates.email',
  'aggregates.browsing',
  'aggregates.categories',
  'aggregates.cart',
  'firstSeenAt',
];

/**
 * `changed` plus `traits.<name>` of each scored trait when a section it is computed from
 * changed, so the segmenter's dependency index re-checks segments on them (At risk) on live
 * changes too, not only on the rescoring job's.
 */
function withScoredPaths(changed: readonly string[], traitNames: readonly string[]): string[] {
  if (!changed.some((path) => SCORED_FROM.includes(path))) return [...changed];
  const added = traitNames.map((name) => `traits.${name}`).filter((p) => !changed.includes(p));
  return added.length === 0 ? [...changed] : [...changed, ...added].sort();
}

export interface PredictiveOptions {
  churnModelFile?: string;
  offerModelFile?: string;
  logger: Logger;
}

function load<M>(
  file: string | undefined,
  what: string,
  parse: (json: unknown) => { ok: true; model: M } | { ok: false; reason: string },
  logger: Logger,
): M | undefined {
  if (!file) {
    logger.info({ trait: what }, `no ${what} model configured; the trait is absent`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    logger.warn(
      { file, err: (err as Error).message },
      `${what} model not loaded (missing or not JSON); the trait is absent`,
    );
    return undefined;
  }
  const parsed = parse(json);
  if (!parsed.ok) {
    logger.warn({ file, reason: parsed.reason }, `${what} model incompatible; the trait is absent`);
    return undefined;
  }
  logger.info({ file }, `${what} model loaded`);
  return parsed.model;
}

function recentlyViewed(recent: Record<string, number> | undefined): string[] {
  return Object.entries(recent ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([id]) => id);
}

function traitsOf(
  churn: ChurnModel | undefined,
  offers: OfferModel | undefined,
  p: ProfileLike & {
    purchases?: { products?: string[]; discountShare?: number | null };
    browsing?: { recentProducts?: Record<string, number> };
  },
  at: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const risk = churn ? scoreChurn(churn, activityOfProfile(p), at) : null;
  if (risk !== null) out.churnRisk = risk;
  if (offers)
    out.nextBestOffer = nextBestOffer(
      offers,
      {
        purchased: p.purchases?.products ?? [],
        recentlyViewed: recentlyViewed(p.browsing?.recentProducts),
      },
      p.purchases?.discountShare ?? null,
    );
  return out;
}

const parseSection = (text: string | undefined): Record<string, unknown> | undefined =>
  text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);

/** Loads the model files once; a missing or incompatible file is logged and its trait left out. */
export function loadPredictiveTraits(options: PredictiveOptions): PredictiveTraits {
  const { logger } = options;
  const churn = load(options.churnModelFile, 'churn', parseChurnModel, logger);
  const offers = load(options.offerModelFile, 'next-best-offer', parseOfferModel, logger);
  if (!churn && !offers) return { forView: (v) => v, forChange: (c) => c, churn: false };
  return {
    churn: churn !== undefined,
    forView: (view) => ({
      ...view,
      traits: { ...view.traits, ...traitsOf(churn, offers, view, view.asOf) },
    }),
    forChange: (change) => {
      if (change.tombstone) return change;
      try {
        const a = change.profile.aggregates;
        const profile = {
          firstSeenAt: change.profile.firstSeenAt,
          purchases: parseSection(a.purchases),
          email: parseSection(a.email),
          browsing: parseSection(a.browsing),
        } as Parameters<typeof traitsOf>[2]; // the sections are the builder's own JSON (snapshot.ts)
        const traits = traitsOf(churn, offers, profile, change.at);
        const text = Object.fromEntries(
          Object.entries(traits).map(([k, v]) => [k, JSON.stringify(v)]),
        );
        return {
          ...change,
          changed: withScoredPaths(change.changed, Object.keys(text)),
          profile: { ...change.profile, traits: { ...change.profile.traits, ...text } },
        };
      } catch (err) {
        logger.warn(
          { err, customerId: change.customerId },
          'predictive traits not scored for this change',
        );
        return change;
      }
    },
  };
}
