import type { Clock } from '@pulse/core';
import type { CampaignControls, CampaignState, CampaignStatus } from './campaign-controls';

/** The held-email timers (a subset of @pulse/scheduler's Scheduler). */
export interface HeldTimers {
  get(id: string): Promise<{ payload: string } | undefined>;
  schedule(id: string, dueAt: number, payload: string): Promise<unknown>;
}

export type CampaignAction = 'pause' | 'resume' | 'kill';

const STATE_OF: Record<CampaignAction, CampaignState> = {
  pause: 'paused',
  resume: 'active',
  kill: 'killed',
};

/**
 * Pause / resume / kill. The state is written first (every renderer reads it on each send, so
 * it holds from the next email on); resume and kill then move the emails the pause held to now,
 * so the release path sends them (resume) or records them `suppressed` (kill).
 */
export function createCampaignAdmin(deps: {
  controls: CampaignControls;
  timers: HeldTimers;
  clock: Clock;
}) {
  return {
    async apply(
      campaignId: string,
      action: CampaignAction,
    ): Promise<CampaignStatus & { released: number }> {
      const now = deps.clock.now();
      await deps.controls.set(campaignId, STATE_OF[action], now);
      let released = 0;
      if (action !== 'pause') {
        for (const id of await deps.controls.takeParked(campaignId)) {
          const timer = await deps.timers.get(id);
          if (!timer) continue; // already fired and acknowledged (a pause re-check)
          await deps.timers.schedule(id, now, timer.payload);
          released += 1;
        }
      }
      return { ...(await deps.controls.status(campaignId)), released };
    },
    status: (campaignId: string) => deps.controls.status(campaignId),
  };
}

export type CampaignAdmin = ReturnType<typeof createCampaignAdmin>;
