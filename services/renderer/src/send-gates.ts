import { stableBucket } from '@pulse/rules';
import type { CompiledCampaign } from './campaigns';
import type { CampaignControls } from './campaign-controls';
import type { SendLedger, SendRef } from './send-ledger';
import type { TriggerIn } from './trigger';

/** An email that stops before the profile is read: its outcome and the reason. */
export interface EarlyStop {
  outcome: 'skipped';
  reason: string;
}

const day = (ms: number) => new Date(ms).toISOString();

/** The re-eligibility window as send-begin.lua takes it: 0 none, 'once', or ms. */
export function reeligibleArg(c: CompiledCampaign): number | 'once' {
  if (!c.reeligible) return 0;
  return c.reeligible.kind === 'once' ? 'once' : c.reeligible.everyMs;
}

/** Why the last send makes this customer not eligible again yet, or null. Pure. */
export function reeligibilityReason(
  c: CompiledCampaign,
  lastSentAt: number | null,
  now: number,
): string | null {
  if (!c.reeligible || lastSentAt === null) return null;
  if (c.reeligible.kind === 'once')
    return `already got ${c.id} on ${day(lastSentAt)} (reeligible: once)`;
  if (now - lastSentAt < c.reeligible.everyMs)
    return `got ${c.id} on ${day(lastSentAt)}; eligible again from ${day(lastSentAt + c.reeligible.everyMs)}`;
  return null;
}

/** Why a trigger from before the launch is skipped under `launch: new-entrants-only`, or null. Pure. */
export function launchReason(
  c: CompiledCampaign,
  triggerAt: number,
  launchedAt: number,
): string | null {
  if (c.launch !== 'new-entrants-only' || triggerAt >= launchedAt) return null;
  return `triggered ${day(triggerAt)}, before the campaign launched ${day(launchedAt)} (launch: new-entrants-only)`;
}

/**
 * The checks that need no profile, cheapest first: launch policy, holdout, re-eligibility (a
 * read of the last send; send-begin.lua checks it again atomically before SMTP).
 */
export async function earlyStop(
  deps: { controls: CampaignControls; ledger: SendLedger },
  c: CompiledCampaign,
  t: TriggerIn,
  ref: SendRef,
  now: number,
): Promise<EarlyStop | null> {
  if (c.launch === 'new-entrants-only') {
    const reason = launchReason(c, t.at, await deps.controls.launchedAt(c.id, now));
    if (reason) return { outcome: 'skipped', reason };
  }
  if (c.holdout > 0 && stableBucket(t.customerId, `${c.id}:holdout`) < c.holdout * 100)
    return { outcome: 'skipped', reason: 'holdout' };
  if (c.reeligible) {
    const reason = reeligibilityReason(c, await deps.ledger.lastCampaignSend(ref), now);
    if (reason) return { outcome: 'skipped', reason };
  }
  return null;
}
