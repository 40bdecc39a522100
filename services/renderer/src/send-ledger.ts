import path from 'node:path';
import type { EmailRecord } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import { loadScript } from '@pulse/redis';
import type { Redis } from '@pulse/redis';
import type { RendererKeys } from './keys';

const SCRIPT_DIR = path.resolve(__dirname, '..', 'scripts');

/** Where one email's send record stands when a trigger arrives. */
export type Claim =
  | { state: 'claimed' }
  | { state: 'busy' }
  | { state: 'sending' }
  | { state: 'held'; outcome: EmailRecord }
  | { state: 'done'; outcome: EmailRecord };

export type BeginResult = 'ok' | 'lost' | 'ineligible' | 'capped:global' | 'capped:campaign';

export interface CapLimits {
  globalMax: number;
  globalWindowMs: number;
  countsTowardGlobal: boolean;
  campaignMax: number;
  campaignWindowMs: number;
  /** Re-eligibility of the campaign: 0 every trigger, 'once' ever, else a window (ms). */
  reeligible: number | 'once';
}

export interface SendRef {
  customerId: string;
  campaignId: string;
  emailId: string;
}

/**
 * The send record of each email in Redis: claimed (lease) → sending → done. The transition to
 * `sending` happens right before SMTP, atomically with the frequency caps; a record found in
 * `sending` means the SMTP outcome was lost in a crash, and it is reported `unknown`, never
 * retried (at most once when ambiguous, DESIGN.md decision 9).
 */
export interface SendLedger {
  /** `release`: the held-email timer fired, so a `held` record may be taken again. */
  claim(ref: SendRef, owner: string, now: number, release?: boolean): Promise<Claim>;
  /** claimed → held (its release timer is scheduled); false when the claim was lost. */
  hold(ref: SendRef, owner: string, outcome: EmailRecord): Promise<boolean>;
  begin(ref: SendRef, owner: string, now: number, caps: CapLimits): Promise<BeginResult>;
  /**
   * sending → claimed until `leaseUntil`, while a transient SMTP failure waits to be retried
   * (nothing was accepted, so a crash in the wait must leave an email that is sent, not one
   * reported `unknown`); the cap slots stay with the email. False when no longer the owner.
   */
  pause(ref: SendRef, owner: string, leaseUntil: number): Promise<boolean>;
  /** When this customer last got another email of this campaign (a cheap pre-render check). */
  lastCampaignSend(ref: SendRef): Promise<number | null>;
  /** Records the outcome; `releaseCaps` gives back the cap slots (SMTP did not accept it). */
  finish(ref: SendRef, outcome: EmailRecord, releaseCaps: boolean): Promise<boolean>;
  /**
   * Takes a segment entry (`entryOf`) for this email unless another email holds it; returns the
   * email id holding it (this one's when taken now or before).
   */
  entry(ref: SendRef, entry: string): Promise<string>;
}

export interface SendLedgerOptions {
  redis: Redis;
  keys: RendererKeys;
  leaseMs: number;
  /** How long send records and cap sets are kept. */
  ttlMs: number;
}

export function createSendLedger(options: SendLedgerOptions): SendLedger {
  const { redis, keys } = options;
  const claimScript = loadScript('send-claim', SCRIPT_DIR);
  const beginScript = loadScript('send-begin', SCRIPT_DIR);
  const finishScript = loadScript('send-finish', SCRIPT_DIR);
  const holdScript = loadScript('send-hold', SCRIPT_DIR);
  const pauseScript = loadScript('send-pause', SCRIPT_DIR);
  const indexScript = loadScript('index-add', SCRIPT_DIR);
  // Indexed before the key is written, so an erasure finds every key a crash could leave.
  const index = (key: string, member: string, keep: number | 'forever') =>
    indexScript.run(redis, [key], [member, String(keep)]);
  const three = (r: SendRef) => [
    keys.send(r.customerId, r.emailId),
    keys.marketingSends(r.customerId),
    keys.campaignSends(r.customerId, r.campaignId),
  ];
  return {
    async claim(ref, owner, now, release = false) {
      await index(keys.customerEmails(ref.customerId), ref.emailId, options.ttlMs);
      const reply = (await claimScript.run(
        redis,
        [keys.send(ref.customerId, ref.emailId)],
        [owner, now, options.leaseMs, options.ttlMs, release ? '1' : '0'],
      )) as [string, string];
      const [state, stored] = reply;
      if (state === 'claimed' || state === 'busy' || state === 'sending') return { state };
      if (state === 'done' || state === 'held')
        return { state, outcome: JSON.parse(stored) as EmailRecord }; // written by finish() / hold()
      throw new PulseError(
        'RENDERER_LEDGER_STATE',
        `send record ${ref.emailId} is in unknown state ${state}`,
      );
    },
    async begin(ref, owner, now, caps) {
      const keep = Math.max(
        options.ttlMs,
        caps.globalWindowMs,
        caps.campaignWindowMs,
        caps.reeligible === 'once' ? 0 : caps.reeligible,
      );
      await index(
        keys.customerCampaigns(ref.customerId),
        ref.campaignId,
        caps.reeligible === 'once' ? 'forever' : keep,
      );
      return (await beginScript.run(redis, three(ref), [
        owner,
        now,
        ref.emailId,
        caps.globalMax,
        caps.globalWindowMs,
        caps.countsTowardGlobal ? '1' : '0',
        caps.campaignMax,
        caps.campaignWindowMs,
        keep,
        String(caps.reeligible),
      ])) as BeginResult;
    },
    async lastCampaignSend(ref) {
      const top = await redis.zrevrange(
        keys.campaignSends(ref.customerId, ref.campaignId),
        0,
        1,
        'WITHSCORES',
      );
      // [id, score, id, score]: the newest other than this email itself.
      for (let i = 0; i + 1 < top.length; i += 2)
        if (top[i] !== ref.emailId) return Number(top[i + 1]);
      return null;
    },
    async pause(ref, owner, leaseUntil) {
      const reply = await pauseScript.run(
        redis,
        [keys.send(ref.customerId, ref.emailId)],
        [owner, leaseUntil],
      );
      return reply === 1;
    },
    async finish(ref, outcome, releaseCaps) {
      return (
        (await finishScript.run(redis, three(ref), [
          JSON.stringify(outcome),
          outcome.outcome,
          ref.emailId,
          releaseCaps ? '1' : '0',
        ])) === 1
      );
    },
    async entry(ref, entry) {
      const key = keys.entries(ref.customerId);
      const replies = await redis
        .multi()
        .hsetnx(key, entry, ref.emailId)
        .pexpire(key, options.ttlMs)
        .hget(key, entry)
        .exec();
      const holder = replies?.[2]?.[1];
      if (typeof holder !== 'string')
        throw new PulseError(
          'RENDERER_LEDGER_STATE',
          `entry ${entry} of ${ref.emailId} unreadable`,
          {
            retriable: true,
          },
        );
      return holder;
    },
    async hold(ref, owner, outcome) {
      const reply = await holdScript.run(
        redis,
        [keys.send(ref.customerId, ref.emailId)],
        [owner, JSON.stringify(outcome)],
      );
      return reply === 1;
    },
  };
}
