import { createHash } from 'node:crypto';
import type { Redis } from '@pulse/redis';
import { consentReason, marketingConsent } from './consent';
import type { ConsentPolicy } from './consent';
import type { RendererKeys } from './keys';
import type { ListedEmail } from './suppression-list';

/** The profile fields suppression reads (profile builder's read API). */
export interface SuppressionProfile {
  traits?: Record<string, unknown>;
  email?: { unsubscribed?: boolean; hardBounces?: number; complaints?: number };
}

/** Own suppressions (one-click unsubscribe) that the profile may not show yet. */
export interface OwnSuppression {
  unsubscribedAt: number | null;
}

/** What else decides: the consent regimes (absent: only a withdrawn consent stops mail) and an imported list's entry. */
export interface SuppressionContext {
  consent?: ConsentPolicy;
  listed?: ListedEmail | null;
}

/**
 * Why this customer must not get this kind of mail, or null. Transactional mail obeys only hard
 * bounces (and list entries imported with scope `all`); marketing also unsubscribes, complaints,
 * imported suppression lists and the consent rules of the recipient's country. Pure.
 */
export function suppressionReason(
  category: 'marketing' | 'transactional',
  profile: SuppressionProfile,
  own: OwnSuppression,
  context: SuppressionContext = {},
): string | null {
  if ((profile.email?.hardBounces ?? 0) > 0) return 'email address hard-bounced';
  const listed = context.listed ? `on imported suppression list "${context.listed.source}"` : null;
  if (category === 'transactional') return context.listed?.scope === 'all' ? listed : null;
  if (own.unsubscribedAt !== null || profile.email?.unsubscribed) return 'unsubscribed';
  if ((profile.email?.complaints ?? 0) > 0) return 'spam complaint';
  if (listed) return listed;
  if (context.consent) return consentReason(context.consent, profile.traits);
  return marketingConsent(profile.traits) === false ? 'no consent to marketing email' : null;
}

/** Suppressions the renderer itself records (its unsubscribe endpoint). */
export interface SuppressionStore {
  get(customerId: string): Promise<OwnSuppression>;
  unsubscribe(customerId: string, at: number): Promise<void>;
  /**
   * Erasure: the unsubscribe stays, but only under a SHA-256 of the customer id (canonical ids
   * may be email addresses); the plain record goes. Idempotent.
   */
  keepHashed(customerId: string): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function createSuppressionStore(redis: Redis, keys: RendererKeys): SuppressionStore {
  const hashed = (customerId: string) => {
    const h = sha256(customerId);
    return { key: keys.erasedUnsubscribes(h.slice(0, 2)), field: h };
  };
  return {
    async get(customerId) {
      const erased = hashed(customerId);
      const [own, kept] = await Promise.all([
        redis.hget(keys.suppression(customerId), 'unsubscribedAt'),
        redis.hget(erased.key, erased.field),
      ]);
      const at = own ?? kept;
      return { unsubscribedAt: at === null ? null : Number(at) };
    },
    async unsubscribe(customerId, at) {
      await redis.hsetnx(keys.suppression(customerId), 'unsubscribedAt', String(at));
    },
    async keepHashed(customerId) {
      const at = await redis.hget(keys.suppression(customerId), 'unsubscribedAt');
      if (at !== null) {
        const erased = hashed(customerId);
        await redis.hsetnx(erased.key, erased.field, at);
      }
      await redis.del(keys.suppression(customerId));
    },
  };
}
