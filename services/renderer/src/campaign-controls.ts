import type { Redis } from '@pulse/redis';
import type { RendererKeys } from './keys';

/**
 * `active`: sends; `paused`: its emails are held (scheduler timers) and released on resume;
 * `killed`: its emails are recorded `suppressed` (reason "campaign killed") until resumed.
 */
export type CampaignState = 'active' | 'paused' | 'killed';

export const CAMPAIGN_STATES: readonly CampaignState[] = ['active', 'paused', 'killed'];

export interface CampaignStatus {
  state: CampaignState;
  /** When the state was last set (ms), null when never. */
  changedAt: number | null;
  launchedAt: number | null;
  /** Emails held by the pause, waiting for resume. */
  pausedEmails: number;
}

/**
 * Per-campaign switches in Redis, read on every send (one HGET), so a pause or a kill stops the
 * next email of every renderer copy at once — no config reload, no restart.
 */
export interface CampaignControls {
  state(campaignId: string): Promise<CampaignState>;
  set(campaignId: string, state: CampaignState, at: number): Promise<void>;
  status(campaignId: string): Promise<CampaignStatus>;
  /** Notes the timer of an email held by the pause, so resume can release it. */
  park(campaignId: string, timerId: string): Promise<void>;
  /** Takes (and forgets) the timers parked so far. */
  takeParked(campaignId: string): Promise<string[]>;
  /** When the campaign first ran; the first caller's `now` sets it for good (SET NX). */
  launchedAt(campaignId: string, now: number): Promise<number>;
}

const asState = (v: string | null | undefined): CampaignState =>
  v === 'paused' || v === 'killed' ? v : 'active';

export function createCampaignControls(redis: Redis, keys: RendererKeys): CampaignControls {
  // A launch time never changes once set: read it from Redis once per process.
  const launched = new Map<string, number>();
  return {
    async state(campaignId) {
      return asState(await redis.hget(keys.campaignControl(campaignId), 'state'));
    },
    async set(campaignId, state, at) {
      await redis.hset(keys.campaignControl(campaignId), 'state', state, 'at', String(at));
    },
    async status(campaignId) {
      const [control, launch, parked] = await Promise.all([
        redis.hgetall(keys.campaignControl(campaignId)),
        redis.get(keys.campaignLaunch(campaignId)),
        redis.scard(keys.campaignPaused(campaignId)),
      ]);
      return {
        state: asState(control.state),
        changedAt: control.at ? Number(control.at) : null,
        launchedAt: launch === null ? null : Number(launch),
        pausedEmails: parked,
      };
    },
    async park(campaignId, timerId) {
      await redis.sadd(keys.campaignPaused(campaignId), timerId);
    },
    async takeParked(campaignId) {
      // SPOP takes each id once even when two resumes race.
      const out: string[] = [];
      for (;;) {
        const batch = await redis.spop(keys.campaignPaused(campaignId), 500);
        out.push(...batch);
        if (batch.length < 500) return out;
      }
    },
    async launchedAt(campaignId, now) {
      const known = launched.get(campaignId);
      if (known !== undefined) return known;
      const key = keys.campaignLaunch(campaignId);
      await redis.set(key, String(now), 'NX');
      const at = Number(await redis.get(key));
      launched.set(campaignId, at);
      return at;
    },
  };
}
