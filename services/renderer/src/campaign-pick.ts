import { createHash } from 'node:crypto';
import { stableBucket } from '@pulse/rules';
import type { CompiledCampaign } from './campaigns';
import type { TriggerIn } from './trigger';

/** Deterministic id of the email for (customer, campaign, trigger). */
export function emailIdOf(customerId: string, campaignId: string, triggerId: string): string {
  return `em-${createHash('sha256').update(`${customerId}\n${campaignId}\n${triggerId}`).digest('hex').slice(0, 20)}`;
}

/** Whether this trigger starts this campaign. */
export function matches(c: CompiledCampaign, t: TriggerIn): boolean {
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
