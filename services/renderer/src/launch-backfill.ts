import path from 'node:path';
import type { EmailRecord } from '@pulse/contracts';
import { isRetriable } from '@pulse/core';
import type { Logger } from '@pulse/core';
import { loadScript } from '@pulse/redis';
import type { Redis } from '@pulse/redis';
import type { CampaignControls } from './campaign-controls';
import type { CompiledCampaign } from './campaigns';
import type { RendererKeys } from './keys';
import type { MemberSource } from './segment-members';
import type { TriggerIn } from './trigger';

const SCRIPT_DIR = path.resolve(__dirname, '..', 'scripts');

/** Whether launching this campaign mails the segment's current members. */
export const needsBackfill = (c: CompiledCampaign): boolean =>
  c.launch === 'existing-members' && c.trigger.kind === 'segment' && c.trigger.change === 'entered';

/**
 * A current member as the trigger of their email: the entry the member list reports, with an id
 * fixed by segment and entry time, so a relaunch or a resumed run names the same email, and the
 * entries ledger (renderer.ts) matches it to the segment change of that same entry.
 */
export function memberTrigger(
  segmentId: string,
  member: { customerId: string; since: number },
): TriggerIn {
  return {
    id: `member:${segmentId}:${member.since}`,
    customerId: member.customerId,
    at: member.since,
    segment: { id: segmentId, change: 'entered' },
  };
}

/** How a run ended: finished, another copy holds it, nothing to do, or stopped (retried later). */
export type BackfillRun =
  | { status: 'done'; members: number }
  | { status: 'busy' | 'none' }
  | { status: 'stopped'; reason: string };

export interface LaunchBackfillOptions {
  redis: Redis;
  keys: RendererKeys;
  controls: CampaignControls;
  members: MemberSource;
  /** Runs one campaign's email for one trigger (renderer.handleFor). */
  handle: (campaignId: string, trigger: TriggerIn) => Promise<EmailRecord[]>;
  /** Publishes outcomes to emails.v1; resolves once acked. */
  publish: (records: readonly EmailRecord[]) => Promise<void>;
  logger: Logger;
  /** Identifies this process in the lease. */
  owner: string;
  pageSize: number;
  leaseMs: number;
}

/**
 * Members re-read at the start of each page: those who exited before the cursor shift the rest
 * left, so the last quarter of the previous page is read again (their emails return stored
 * outcomes). More exits than that between two pages can still skip a member (see README).
 */
const overlapOf = (pageSize: number): number => Math.floor(pageSize / 4);

/**
 * `launch: existing-members` for segment-entry campaigns: at the campaign's first launch a job
 * is created that mails every current member of the segment, read page by page from the
 * segmenter. Each email is the normal send path (consent, suppression, membership, caps, quiet
 * hours, the SMTP rate limit); its id comes from the member's entry, and the cursor is stored
 * after each page under a lease, so a crash resumes where it stopped and a rerun sends nothing
 * twice. A campaign already launched before (or by an older version) is never backfilled.
 */
export function createLaunchBackfill(options: LaunchBackfillOptions) {
  const { redis, keys, logger } = options;
  const leaseScript = loadScript('backfill-lease', SCRIPT_DIR);
  const lease = (campaignId: string) =>
    leaseScript.run(
      redis,
      [keys.campaignBackfillLease(campaignId)],
      [options.owner, options.leaseMs],
    );
  const overlap = overlapOf(options.pageSize);
  /** A graceful stop lets another copy resume at once (a crash leaves the lease to expire). */
  const stopped = async (campaignId: string): Promise<BackfillRun> => {
    if ((await redis.get(keys.campaignBackfillLease(campaignId))) === options.owner)
      await redis.del(keys.campaignBackfillLease(campaignId));
    return { status: 'stopped', reason: 'shutting down' };
  };

  const pending = async (campaignId: string): Promise<boolean> =>
    (await redis.hget(keys.campaignBackfill(campaignId), 'state')) === 'pending';

  return {
    /**
     * Launches a campaign: on its first launch (no launch time yet) the backfill job is created
     * before the launch time is set, so a crash in between still finds the job. Returns the
     * launch time.
     */
    async launch(c: CompiledCampaign, now: number): Promise<number> {
      if (needsBackfill(c) && (await redis.get(keys.campaignLaunch(c.id))) === null)
        await redis.hsetnx(keys.campaignBackfill(c.id), 'state', 'pending');
      return options.controls.launchedAt(c.id, now);
    },

    /** Whether a backfill of this campaign waits to be run (or finished). */
    pending,

    /** Runs (or resumes) the campaign's backfill until done, stopped or `signal` aborts. */
    async run(c: CompiledCampaign, signal: AbortSignal): Promise<BackfillRun> {
      if (c.trigger.kind !== 'segment' || !(await pending(c.id))) return { status: 'none' };
      if ((await lease(c.id)) !== 1) return { status: 'busy' };
      const segmentId = c.trigger.segmentId;
      const job = keys.campaignBackfill(c.id);
      let cursor = Number((await redis.hget(job, 'offset')) ?? 0);
      let seen = 0;
      for (;;) {
        if (signal.aborted) return stopped(c.id);
        const from = Math.max(0, cursor - overlap);
        const page = await options.members.page(segmentId, from, options.pageSize);
        if (!page) {
          logger.error(
            { campaignId: c.id, segmentId },
            'launch backfill: the segmenter does not know the segment; nothing backfilled',
          );
          await redis.hset(job, 'state', 'done', 'total', 0, 'note', 'unknown segment');
          return { status: 'done', members: 0 };
        }
        for (const member of page.members) {
          if (signal.aborted) return stopped(c.id);
          // Renewed per email: the SMTP rate limit may make one page take long.
          if ((await lease(c.id)) !== 1) return { status: 'stopped', reason: 'lease lost' };
          try {
            await options.publish(await options.handle(c.id, memberTrigger(segmentId, member)));
          } catch (err) {
            if (isRetriable(err)) throw err;
            // A render error for one member: logged (no id), the others still get theirs.
            logger.error({ err, campaignId: c.id }, 'launch backfill: one member failed');
          }
        }
        seen += page.members.length;
        cursor = from + page.members.length;
        if (page.nextOffset === null || page.members.length === 0) {
          await redis.hset(job, 'state', 'done', 'offset', cursor, 'total', page.total);
          await redis.del(keys.campaignBackfillLease(c.id));
          logger.info({ campaignId: c.id, segmentId, members: page.total }, 'launch backfill done');
          return { status: 'done', members: seen };
        }
        await redis.hset(job, 'offset', cursor);
      }
    },
  };
}

export type LaunchBackfill = ReturnType<typeof createLaunchBackfill>;
