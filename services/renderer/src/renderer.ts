import type { EmailRecord } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import type { Clock, Logger } from '@pulse/core';
import { emailIdOf, matches, pickVariant } from './campaign-pick';
import type { CampaignControls } from './campaign-controls';
import type { CompiledCampaign } from './campaigns';
import { triggerStale } from './eligibility';
import type { MembershipSource } from './eligibility';
import { espTagHeaders } from './esp-tags';
import type { EspTagFormat } from './esp-tags';
import type { ContentSource } from './live-config';
import type { LoadedConfig } from './load-config';
import type { Mailer, RetryControl } from './mailer';
import type { ProfileSource } from './profile-source';
import { quietUntil } from './quiet-hours';
import { composeEmail } from './compose-email';
import type { OutcomeObserver } from './outcome-observer';
import { recipientOf } from './render-data';
import { earlyStop, reeligibleArg } from './send-gates';
import type { CapLimits, Claim, SendLedger, SendRef } from './send-ledger';
import type { SuppressionStore } from './suppression';
import { suppressionReason } from './suppression';
import type { SuppressionList } from './suppression-list';
import type { TriggerIn } from './trigger';
import { trackEmailLinks } from './tracking';
import type { TrackingConfig } from './tracking';
import { signUnsubscribe, unsubscribeHeaders } from './unsubscribe';

export type { TriggerIn } from './trigger';
export { emailIdOf, pickVariant } from './campaign-pick';

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
  /** Templates, campaigns, catalog and co-purchases (hot reloaded: read once per trigger). */
  content: ContentSource;
  profiles: ProfileSource;
  ledger: SendLedger;
  suppressions: SuppressionStore;
  /** Imported suppression lists (hashed addresses). */
  suppressionList: SuppressionList;
  /** Pause / resume / kill per campaign and launch times, read on every send. */
  controls: CampaignControls;
  /** Current segments at send time; null: membership is not re-checked. */
  memberships: MembershipSource | null;
  /** ESP header formats carrying the attribution ids (esp-tags.ts). */
  espTags: readonly EspTagFormat[];
  /** How long an email held by a paused campaign waits before it re-checks without a resume. */
  pauseRecheckMs: number;
  /** Rate limited and retrying (smtp-delivery.ts): a transient failure here is final. */
  mailer: Mailer;
  /** Open pixel and click links through ingest; null: links stay as written. */
  tracking: TrackingConfig | null;
  holds: HoldScheduler;
  clock: Clock;
  logger: Logger;
  /** Identifies this process in send leases. */
  owner: string;
  /** How long a claim lasts; a paused send (SMTP retry wait) holds it for the wait plus this. */
  leaseMs: number;
  globalCap: { max: number; perMs: number };
  unsubscribe: { secret: string; baseUrl: string; mailto: string | null };
  messageIdDomain: string;
  brand: string;
  shopUrl: string;
  /** Sees every outcome returned (metrics, live attribution); absent: none. */
  observe?: OutcomeObserver;
  /** Monotonic milliseconds for durations; default `performance.now`. */
  monotonic?: () => number;
}

/** The field of a segment entry in the entries ledger: one email per campaign and entry. */
export const entryOf = (campaignId: string, segmentId: string, enteredAt: number): string =>
  `${campaignId}|${segmentId}|${enteredAt}`;

/**
 * Turns triggers into emails: for each matching campaign, claim the send record, read the live
 * profile, check holdout, suppression, delay and quiet hours, render, take the cap slot and
 * move to `sending` atomically, deliver over SMTP, record the outcome. Returns the outcomes to
 * publish on emails.v1 (a redelivered trigger returns the stored outcome again, sends nothing).
 */
export function createRenderer(options: RendererOptions) {
  const { ledger, clock } = options;
  const monotonic = options.monotonic ?? (() => performance.now());

  /** Claims the email, decides it (or returns its stored outcome) and tells the observer. */
  async function forCampaign(
    cfg: LoadedConfig,
    c: CompiledCampaign,
    t: TriggerIn,
    release = false,
  ): Promise<EmailRecord | null> {
    const started = monotonic();
    const emailId = emailIdOf(t.customerId, c.id, t.id);
    const ref: SendRef = { customerId: t.customerId, campaignId: c.id, emailId };
    const now = clock.now();
    const claim = await ledger.claim(ref, options.owner, now, release);
    const replay = claim.state === 'done' || claim.state === 'held';
    const record = replay ? claim.outcome : await decide(cfg, c, t, ref, now, claim);
    if (record && options.observe)
      await options.observe(record, {
        campaign: c,
        trigger: t,
        replay,
        elapsedSeconds: (monotonic() - started) / 1000,
      });
    return record;
  }

  async function decide(
    cfg: LoadedConfig,
    c: CompiledCampaign,
    t: TriggerIn,
    ref: SendRef,
    now: number,
    claim: Exclude<Claim, { state: 'done' | 'held' }>,
  ): Promise<EmailRecord | null> {
    const { emailId } = ref;
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
    const hold = async (record: EmailRecord, heldUntil: number, reason: string) => {
      const held: EmailRecord = { ...record, outcome: 'held', reason, heldUntil };
      const payload: HeldPayload = { campaignId: c.id, trigger: t };
      await options.holds.schedule(heldTimerId(emailId), heldUntil, JSON.stringify(payload));
      if (!(await ledger.hold(ref, options.owner, held)))
        throw new PulseError('RENDERER_SEND_LOST', `lease on ${emailId} expired before hold`, {
          retriable: true,
        });
      return held;
    };
    // Paused: held through the scheduler and parked for the resume, never dropped. A resume
    // between the state read and the park would miss this email, so the state is read again
    // after parking: a campaign no longer paused gets its email released at once.
    const control = async (record: EmailRecord): Promise<EmailRecord | null> => {
      const state = await options.controls.state(c.id);
      if (state === 'active') return null;
      if (state === 'killed')
        return finish({ ...record, outcome: 'suppressed', reason: 'campaign killed' });
      const at = clock.now();
      const held = await hold(record, at + options.pauseRecheckMs, 'campaign paused');
      await options.controls.park(c.id, heldTimerId(emailId));
      if ((await options.controls.state(c.id)) !== 'paused')
        await options.holds.schedule(
          heldTimerId(emailId),
          at,
          JSON.stringify({ campaignId: c.id, trigger: t }),
        );
      return held;
    };
    // A segment entry is mailed once per campaign, whichever trigger names it first: the
    // segment change on the topic or the `existing-members` backfill of the member list.
    if (t.segment?.change === 'entered') {
      const holder = await ledger.entry(ref, entryOf(c.id, t.segment.id, t.at));
      if (holder !== emailId)
        return finish({
          ...base,
          outcome: 'skipped',
          reason: `segment entry already mailed (${holder})`,
        });
    }
    const stopped = await control(base);
    if (stopped) return stopped;
    const early = await earlyStop(options, c, t, ref, now);
    if (early) return finish({ ...base, ...early });
    const profile = await options.profiles.get(t.customerId);
    if (!profile) return finish({ ...base, outcome: 'skipped', reason: 'unknown customer' });
    const to = recipientOf(profile);
    const variant = pickVariant(c, t.customerId);
    const withTo = { ...base, to, variant };
    if (!to) return finish({ ...withTo, outcome: 'suppressed', reason: 'no email address' });
    const [own, listed] = await Promise.all([
      options.suppressions.get(t.customerId),
      options.suppressionList.lookup(to),
    ]);
    const suppressed = suppressionReason(c.category, profile, own, {
      consent: cfg.consent,
      listed,
    });
    if (suppressed) return finish({ ...withTo, outcome: 'suppressed', reason: suppressed });
    const stale = await triggerStale(profile, t, options.memberships);
    if (stale) return finish({ ...withTo, outcome: 'skipped', reason: stale });
    const tz = typeof profile.traits?.timezone === 'string' ? profile.traits.timezone : 'UTC';
    const due = t.at + c.delayMs;
    const quiet = c.quietHours ? quietUntil(Math.max(now, due), tz, c.quietHours) : null;
    if (due > now || quiet !== null)
      return hold(
        withTo,
        quiet ?? due,
        quiet !== null ? `quiet hours in ${tz}` : `delay until ${new Date(due).toISOString()}`,
      );
    const token = signUnsubscribe(options.unsubscribe.secret, {
      customerId: t.customerId,
      campaignId: c.id,
      emailId,
    });
    const unsubscribeUrl = `${options.unsubscribe.baseUrl}/v1/unsubscribe?t=${token}`;
    let mail;
    try {
      mail = composeEmail({
        templates: cfg.templates,
        catalog: cfg.catalog,
        coPurchases: cfg.coPurchases,
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
    const html = options.tracking
      ? trackEmailLinks(mail.html, options.tracking, {
          emailId,
          customerId: t.customerId,
          campaignId: c.id,
          variant,
          keep: [unsubscribeUrl],
        })
      : mail.html;
    const messageId = `<${emailId}@${options.messageIdDomain}>`;
    const sendAt = clock.now();
    const caps = {
      globalMax: options.globalCap.max,
      globalWindowMs: options.globalCap.perMs,
      countsTowardGlobal: c.category === 'marketing',
      campaignMax: c.cap?.max ?? 0,
      campaignWindowMs: c.cap?.perMs ?? 0,
      reeligible: reeligibleArg(c),
    };
    // A pause or kill that came in during the render stops this email before SMTP too.
    const late = await control(withTo);
    if (late) return late;
    const begun = await ledger.begin(ref, options.owner, sendAt, caps);
    if (begun === 'lost')
      throw new PulseError('RENDERER_SEND_LOST', `lease on ${emailId} expired during render`, {
        retriable: true,
      });
    if (begun === 'ineligible')
      return finish({
        ...withTo,
        outcome: 'skipped',
        reason: `not re-eligible for ${c.id} yet`,
        at: sendAt,
      });
    if (begun !== 'ok')
      return finish({
        ...withTo,
        outcome: 'capped',
        reason: begun === 'capped:global' ? 'global frequency cap' : 'campaign frequency cap',
        at: sendAt,
      });
    const result = await options.mailer.send(
      {
        from: c.from,
        to,
        subject: mail.subject,
        html,
        text: mail.text,
        messageId,
        headers: {
          ...unsubscribeHeaders(unsubscribeUrl, options.unsubscribe.mailto),
          'X-Pulse-Email-Id': emailId,
          'X-Pulse-Campaign': c.id,
        },
        rawHeaders: espTagHeaders(
          { emailId, customerId: t.customerId, campaignId: c.id, variant },
          options.espTags,
        ),
      },
      retryControl(ref, caps),
    );
    const done = { ...withTo, messageId, subject: mail.subject, at: clock.now() };
    if (result.ok) return finish({ ...done, outcome: 'sent', smtpResponse: result.response });
    // Not accepted, for good (5xx) or after every retry (4xx, connection): the cap slot returns.
    if (result.failure.kind === 'rejected' || result.failure.kind === 'transient')
      return finish(
        {
          ...done,
          outcome: 'failed',
          reason: `SMTP ${result.failure.kind === 'rejected' ? 'rejected' : 'temporary failure'}: ${result.failure.message}`,
          smtpResponse: result.failure.response,
        },
        true,
      );
    return finish({
      ...done,
      outcome: 'unknown',
      reason: `SMTP outcome lost: ${result.failure.message}`,
    });
  }

  /** Between SMTP retries the record goes back to claimed (see send-pause.lua), then resumes. */
  function retryControl(ref: SendRef, caps: CapLimits): RetryControl {
    const lost = (what: string) =>
      new PulseError('RENDERER_SEND_LOST', `${what} of ${ref.emailId} lost its send record`, {
        retriable: true,
      });
    return {
      async pause(delayMs) {
        const until = clock.now() + delayMs + options.leaseMs;
        if (!(await ledger.pause(ref, options.owner, until))) throw lost('SMTP retry wait');
      },
      async resume() {
        // The email holds its cap slots, so only a lost lease (or a window that passed) stops it.
        if ((await ledger.begin(ref, options.owner, clock.now(), caps)) !== 'ok')
          throw lost('SMTP retry');
      },
    };
  }

  return {
    /** Outcomes for every campaign this trigger starts (none when no campaign matches). */
    async handle(t: TriggerIn): Promise<EmailRecord[]> {
      const out: EmailRecord[] = [];
      const cfg = options.content.current();
      for (const c of cfg.campaigns) {
        if (!matches(c, t)) continue;
        const record = await forCampaign(cfg, c, t);
        if (record) out.push(record);
      }
      return out;
    },
    /**
     * One campaign's email for a trigger (the `existing-members` backfill: the member list names
     * the campaign, other campaigns of that segment are not started again). None when the
     * campaign is gone or the trigger does not start it.
     */
    async handleFor(campaignId: string, t: TriggerIn): Promise<EmailRecord[]> {
      const cfg = options.content.current();
      const c = cfg.campaigns.find((x) => x.id === campaignId);
      if (!c || !matches(c, t)) return [];
      const record = await forCampaign(cfg, c, t);
      return record ? [record] : [];
    },
    /**
     * A held email's timer fired: take the held record and run the whole path again (consent,
     * suppression, quiet hours, caps are re-checked at release; it may be held once more).
     */
    async release(payload: HeldPayload): Promise<EmailRecord[]> {
      const cfg = options.content.current();
      const c = cfg.campaigns.find((x) => x.id === payload.campaignId);
      if (!c) {
        options.logger.warn({ campaignId: payload.campaignId }, 'held email of a removed campaign');
        return [];
      }
      const record = await forCampaign(cfg, c, payload.trigger, true);
      return record ? [record] : [];
    },
  };
}

export type Renderer = ReturnType<typeof createRenderer>;
