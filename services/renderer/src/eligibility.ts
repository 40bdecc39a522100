import { PulseError } from '@pulse/core';
import type { Profile } from './profile-source';
import type { TriggerIn } from './trigger';

/** Where the renderer reads a customer's current segments at send time. */
export interface MembershipSource {
  /** Segment ids the customer is in now. Throws retriable errors when unreachable. */
  segmentsOf(customerId: string): Promise<ReadonlySet<string>>;
}

/**
 * The segmenter's `GET /v1/profiles/:id/segments` (`{ current: [{ segmentId }] }`): the profile
 * read API does not carry memberships, the segmenter owns them.
 */
export function createHttpMembershipSource(options: {
  baseUrl: string;
  adminToken?: string;
  timeoutMs?: number;
}): MembershipSource {
  const base = options.baseUrl.replace(/\/$/, '');
  const headers: Record<string, string> = options.adminToken
    ? { authorization: `Bearer ${options.adminToken}` }
    : {};
  return {
    async segmentsOf(customerId) {
      let res: Response;
      try {
        res = await fetch(`${base}/v1/profiles/${encodeURIComponent(customerId)}/segments`, {
          headers,
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
      } catch (err) {
        throw new PulseError('RENDERER_SEGMENTER_UNREACHABLE', `segmenter at ${base} unreachable`, {
          retriable: true,
          cause: err,
        });
      }
      if (!res.ok)
        throw new PulseError(
          'RENDERER_SEGMENTER_UNAVAILABLE',
          `GET segments of ${customerId} answered ${res.status}`,
          { retriable: res.status >= 500 || res.status === 429 },
        );
      const body = (await res.json()) as { current?: { segmentId?: unknown }[] }; // the segmenter's documented JSON
      return new Set(
        (body.current ?? []).flatMap((m) => (typeof m.segmentId === 'string' ? [m.segmentId] : [])),
      );
    },
  };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Why a Cart Abandoned trigger no longer holds for the live profile, or null: an order since
 * the abandonment, or a cart emptied since. A profile without those fields (an older profile
 * builder, a fixture) is not judged.
 */
export function cartTriggerStale(profile: Profile, t: TriggerIn): string | null {
  const purchases = profile.purchases as { lastPurchaseAt?: unknown } | undefined;
  const lastPurchase = num(purchases?.lastPurchaseAt);
  if (lastPurchase !== null && lastPurchase >= t.at)
    return `ordered at ${new Date(lastPurchase).toISOString()}, after the cart was abandoned`;
  const cart = profile.cart as { lines?: unknown } | undefined;
  if (Array.isArray(cart?.lines) && cart.lines.length === 0)
    return 'cart emptied since it was abandoned';
  return null;
}

/** Why a segment trigger no longer holds (left the segment it entered, or back in one it left). */
export function segmentTriggerStale(segments: ReadonlySet<string>, t: TriggerIn): string | null {
  if (!t.segment) return null;
  const member = segments.has(t.segment.id);
  if (t.segment.change === 'entered' && !member) return `no longer in segment ${t.segment.id}`;
  if (t.segment.change === 'exited' && member) return `back in segment ${t.segment.id}`;
  return null;
}

/**
 * Re-checks, at send time and at every release of a held email, that what triggered the email
 * still holds; the reason it does not (recorded `skipped`), or null. `memberships` null: the
 * segmenter is not configured and membership is not checked.
 */
export async function triggerStale(
  profile: Profile,
  t: TriggerIn,
  memberships: MembershipSource | null,
): Promise<string | null> {
  if (t.event?.type === 'Cart Abandoned') return cartTriggerStale(profile, t);
  if (t.segment && memberships)
    return segmentTriggerStale(await memberships.segmentsOf(t.customerId), t);
  return null;
}
