import type { Redis } from '@pulse/redis';
import type { RendererKeys } from './keys';

/** The profile fields suppression reads (profile builder's read API). */
export interface SuppressionProfile {
  traits?: Record<string, unknown>;
  email?: { unsubscribed?: boolean; hardBounces?: number; complaints?: number };
}

/** Own suppressions (one-click unsubscribe) that the profile may not show yet. */
export interface OwnSuppression {
  unsubscribedAt: number | null;
}

function consent(traits: Record<string, unknown> | undefined): boolean | undefined {
  const c = traits?.consent;
  if (c !== null && typeof c === 'object' && 'email_marketing' in c) {
    const v = (c as { email_marketing: unknown }).email_marketing;
    if (typeof v === 'boolean') return v;
  }
  const flat = traits?.['consent.email_marketing'];
  return typeof flat === 'boolean' ? flat : undefined;
}

/**
 * Why this customer must not get this kind of mail, or null. Transactional mail obeys only hard
 * bounces; marketing also unsubscribes, complaints and a withdrawn marketing consent. Pure.
 */
export function suppressionReason(
  category: 'marketing' | 'transactional',
  profile: SuppressionProfile,
  own: OwnSuppression,
): string | null {
  if ((profile.email?.hardBounces ?? 0) > 0) return 'email address hard-bounced';
  if (category === 'transactional') return null;
  if (own.unsubscribedAt !== null || profile.email?.unsubscribed) return 'unsubscribed';
  if ((profile.email?.complaints ?? 0) > 0) return 'spam complaint';
  if (consent(profile.traits) === false) return 'no consent to marketing email';
  return null;
}

/** Suppressions the renderer itself records (its unsubscribe endpoint). */
export interface SuppressionStore {
  get(customerId: string): Promise<OwnSuppression>;
  unsubscribe(customerId: string, at: number): Promise<void>;
}

export function createSuppressionStore(redis: Redis, keys: RendererKeys): SuppressionStore {
  return {
    async get(customerId) {
      const at = await redis.hget(keys.suppression(customerId), 'unsubscribedAt');
      return { unsubscribedAt: at === null ? null : Number(at) };
    },
    async unsubscribe(customerId, at) {
      await redis.hsetnx(keys.suppression(customerId), 'unsubscribedAt', String(at));
    },
  };
}
