import { createHash } from 'node:crypto';
import type { EmailRecord } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import type { Clock, Logger } from '@pulse/core';
import { stableBucket } from '@pulse/rules';
import type { Product, TemplateSet } from '@pulse/templates';
import type { CompiledCampaign } from './campaigns';
import type { Mailer } from './mailer';
import type { ProfileSource } from './profile-source';
import { quietUntil } from './quiet-hours';
import { composeEmail } from './compose-email';
import { recipientOf } from './render-data';
import type { CartLineIn } from './render-data';
import type { SendLedger, SendRef } from './send-ledger';
import type { SuppressionStore } from './suppression';
import { suppressionReason } from './suppression';
import { signUnsubscribe, unsubscribeHeaders } from './unsubscribe';

/** What can start an email: a segment change or an event, normalized. */
export interface TriggerIn {
  /** Segment change id or event id: the trigger part of the email id. */
  id: string;
  customerId: string;
  at: number;
  segment?: { id: string; change: 'entered' | 'exited' };
  event?: {
    type: string;
    cart: { lines: CartLineIn[]; value: number | null; currency: string | null } | null;
  };
}

/** Where held emails wait: the durable scheduler (a subset of @pulse/scheduler's Scheduler). */
export interface HoldScheduler {
  /** Same id and due time again is a no-op; a new due time moves the timer. */
  schedule(id: string, dueAt: number, payload: string): Promise<unknown>;
}

/** What a held email's timer carries: enough to run the whole send path again at release. */
export interface HeldPayload {
  campaignId: string;
  trigger: TriggerIn;
}

/** The timer id of a held email. */
export const heldTimerId = (emailId: string): string => `held:${emailId}`;

export interface RendererOptions {
  templates: TemplateSet;
  campaigns: readonly CompiledCampaign[];
  catalog: readonly Product[];
  profiles: ProfileSource;
  ledger: SendLedger;
  suppressions: SuppressionStore;
  mailer: Mailer;
  holds: HoldScheduler;
  clock: Clock;
  logger: Logger;
  /** Identifies this process in send leases. */
  owner: string;
  globalCap: { max: number; perMs: number };
  unsubscribe: { secret: string; baseUrl: string; mailto: string | null };
  messageIdDomain: string;
  brand: string;
  shopUrl: string;
}

/** Deterministic id of the email for (customer, campaign, trigger). */
export function emailIdOf(customerId: string, campaignId: string, triggerId: string): string {
  return `em-${createHash('sha256').update(`${customerId}\n${campaignId}\n${triggerId}`).digest('hex').slice(0, 20)}`;
}

function matches(c: CompiledCampaign, t: TriggerIn): boolean {
  if (c.trigger.kind === 'segment')
    return t.segment?.id === c.trigger.segmentId && t.segment.change === c.trigger.change;
  return t.event?.type === c.trigger.eventType;
}

/** The A/B variant of a customer (stable bucket by weight), or null without variants. */
export function pickVariant(c: CompiledCampaign, customerId: string): string | null {
  if (c.variants.length === 0) return null;
  const total = c.variants.reduce((s, v) => s + v.weight, 0);
  const point = (stableBucket(customerId, `${c.id}:variant`) / 100) * total;
  let acc = 0;
  for (const v of c.variants) {
    acc += v.weight;
    if (point < acc) return v.name;
  }
  return c.variants[c.variants.length - 1]?.name ?? null;
}

/**
 * Turns triggers into emails: for each matching campaign, claim the send record, read the live
 * profile, check holdout, suppression, delay and quiet hours, render, take the cap slot and
 * move to `sending` atomically, deliver over SMTP, record the outcome. Returns the outcomes to
 * publish on emails.v1 (a redelivered trigger returns the stored outcome again, sends nothing).
 */
export function createRenderer(options: RendererOptions) {
  const { ledger, clock } = options;

  async function forCampaign(
    c: CompiledCampaign,
    t: TriggerIn,
    release = false,
  ): Promise<EmailRecord | null> {
    const emailId = emailIdOf(t.customerId, c.id, t.id);
    const ref: SendRef = { customerId: t.customerId, campaignId: c.id, emailId };
    const now = clock.now();
    const claim = await ledger.claim(ref, options.owner, now, release);
    const base: EmailRecord = {
      emailId,
      messageId: null,
      customerId: t.customerId,
      campaignId: c.id,
      variant: null,
      triggerId: t.id,
      outcome: 'skipped',
      reason: null,
      smtpResponse: null,
      to: null,
      subject: null,
      heldUntil: null,
      at: now,
    };
    if (claim.state === 'done' || claim.state === 'held') return claim.outcome;
    if (claim.state === 'busy')
      throw new PulseError(
        'RENDERER_SEND_BUSY',
        `email ${emailId} is being sent by another worker`,
        { retriable: true },
      );
    if (claim.state === 'sending') {
      const unknown: EmailRecord = {
        ...base,
        outcome: 'unknown',
        reason: 'crashed during SMTP; not retried (at most once)',
      };
      await ledger.finish(ref, unknown, false);
      return unknown;
    }
    const finish = async (record: EmailRecord, release = false) => {
      await ledger.finish(ref, record, release);
      return record;
    };
    if (c.holdout > 0 && stableBucket(t.customerId, `${c.id}:holdout`) < c.holdout * 100)
      return finish({ ...base, outcome: 'skipped', reason: 'holdout' });
    const profile = await options.profiles.get(t.customerId);
    if (!profile) return finish({ ...base, outcome: 'skipped', reason: 'unknown customer' });
    const to = recipientOf(profile);
    const variant = pickVariant(c, t.customerId);
    const withTo = { ...base, to, variant };
    if (!to) return finish({ ...withTo, outcome: 'suppressed', reason: 'no email address' });
    const suppressed = suppressionReason(
      c.category,
      profile,
      await options.suppressions.get(t.customerId),
    );
    if (suppressed) return finish({ ...withTo, outcome: 'suppressed', reason: suppressed });
    const tz = typeof profile.traits?.timezone === 'string' ? profile.traits.timezone : 'UTC';
    const due = t.at + c.delayMs;
    const quiet = c.quietHours ? quietUntil(Math.max(now, due), tz, c.quietHours) : null;
    if (due > now || quiet !== null) {
      const heldUntil = quiet ?? due;
      const reason =
        quiet !== null ? `quiet hours in ${tz}` : `delay until ${new Date(due).toISOString()}`;
      const held: EmailRecord = { ...withTo, outcome: 'held', reason, heldUntil };
      const payload: HeldPayload = { campaignId: c.id, trigger: t };
      await options.holds.schedule(heldTimerId(emailId), heldUntil, JSON.stringify(payload));
      if (!(await ledger.hold(ref, options.owner, held)))
        throw new PulseError('RENDERER_SEND_LOST', `lease on ${emailId} expired before hold`, {
          retriable: true,
        });
      return held;
    }
    const token = signUnsubscribe(options.unsubscribe.secret, {
      customerId: t.customerId,
      campaignId: c.id,
      emailId,
    });
    const unsubscribeUrl = `${options.unsubscribe.baseUrl}/v1/unsubscribe?t=${token}`;
    let mail;
    try {
      mail = composeEmail({
        templates: options.templates,
        catalog: options.catalog,
        campaign: c,
        variant,
        profile,
        now,
        brand: options.brand,
        cart: t.event?.cart ?? null,
        segments: t.segment?.change === 'entered' ? [t.segment.id] : [],
        links: {
          unsubscribe: unsubscribeUrl,
          cart: `${options.shopUrl}/cart`,
          shop: options.shopUrl,
        },
      });
    } catch (err) {
      throw new PulseError(
        'RENDERER_RENDER_FAILED',
        `render of ${c.id} for ${t.customerId} failed: ${err instanceof Error ? err.message : String(err)}`,
        { retriable: false, cause: err },
      );
    }
    const messageId = `<${emailId}@${options.messageIdDomain}>`;
    const sendAt = clock.now();
    const begun = await ledger.begin(ref, options.owner, sendAt, {
      globalMax: options.globalCap.max,
      globalWindowMs: options.globalCap.perMs,
      countsTowardGlobal: c.category === 'marketing',
      campaignMax: c.cap?.max ?? 0,
      campaignWindowMs: c.cap?.perMs ?? 0,
    });
    if (begun === 'lost')
      throw new PulseError('RENDERER_SEND_LOST', `lease on ${emailId} expired during render`, {
        retriable: true,
      });
    if (begun !== 'ok')
      return finish({
        ...withTo,
        outcome: 'capped',
        reason: begun === 'capped:global' ? 'global frequency cap' : 'campaign frequency cap',
        at: sendAt,
      });
    const result = await options.mailer.send({
      from: c.from,
      to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId,
      headers: {
        ...unsubscribeHeaders(unsubscribeUrl, options.unsubscribe.mailto),
        'X-Pulse-Email-Id': emailId,
        'X-Pulse-Campaign': c.id,
      },
    });
    const done = { ...withTo, messageId, subject: mail.subject, at: clock.now() };
    if (result.ok) return finish({ ...done, outcome: 'sent', smtpResponse: result.response });
    if (result.failure.kind === 'rejected')
      return finish(
        {
          ...done,
          outcome: 'failed',
          reason: result.failure.message,
          smtpResponse: result.failure.response,
        },
        true,
      );
    if (result.failure.kind === 'not-sent') {
      await ledger.abort(ref, options.owner);
      throw new PulseError(
        'RENDERER_SMTP_UNAVAILABLE',
        `SMTP failed before data: ${result.failure.message}`,
        { retriable: true },
      );
    }
    return finish({
      ...done,
      outcome: 'unknown',
      reason: `SMTP outcome lost: ${result.failure.message}`,
    });
  }

  return {
    /** Outcomes for every campaign this trigger starts (none when no campaign matches). */
    async handle(t: TriggerIn): Promise<EmailRecord[]> {
      const out: EmailRecord[] = [];
      for (const c of options.campaigns) {
        if (!matches(c, t)) continue;
        const record = await forCampaign(c, t);
        if (record) out.push(record);
      }
      return out;
    },
    /**
     * A held email's timer fired: take the held record and run the whole path again (consent,
     * suppression, quiet hours, caps are re-checked at release; it may be held once more).
     */
    async release(payload: HeldPayload): Promise<EmailRecord[]> {
      const c = options.campaigns.find((x) => x.id === payload.campaignId);
      if (!c) {
        options.logger.warn({ campaignId: payload.campaignId }, 'held email of a removed campaign');
        return [];
      }
      const record = await forCampaign(c, payload.trigger, true);
      return record ? [record] : [];
    },
  };
}

export type Renderer = ReturnType<typeof createRenderer>;
