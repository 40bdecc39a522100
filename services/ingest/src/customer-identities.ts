import { normalizeEmail } from '@pulse/contracts';
import { customerIds } from './email-event';
import { identityFields, type OrderOwner } from './store-calls';

/** The ids of one customer as an event carries them (any of them may be absent). */
export interface CustomerIdFields {
  userId?: string | null | undefined;
  anonymousId?: string | null | undefined;
  email?: string | null | undefined;
}

/** An email as profile-builder stores it in an `e:` identity (one function for every service). */
export const canonicalEmail = normalizeEmail;

/**
 * The canonical identities (`u:<userId>`, `a:<anonymousId>`, `e:<normalized email>`, as
 * profile-builder names customers) that ids stand for, strongest first.
 */
export function identitiesOf(ids: CustomerIdFields): string[] {
  const out: string[] = [];
  if (ids.userId) out.push(`u:${ids.userId}`);
  if (ids.anonymousId) out.push(`a:${ids.anonymousId}`);
  if (ids.email) out.push(`e:${canonicalEmail(ids.email)}`);
  return [...new Set(out)];
}

/**
 * Every identity an order's events name: its owner's ids as the order's calls carry them
 * ({@link identityFields}: a guest's email is also its anonymousId), so whichever of them
 * profile-builder made the customer's canonical id, an erasure of it finds the order.
 */
export function orderIdentities(owner: OrderOwner): string[] {
  const fields = identityFields(owner);
  return identitiesOf({
    userId: typeof fields.userId === 'string' ? fields.userId : undefined,
    anonymousId: typeof fields.anonymousId === 'string' ? fields.anonymousId : undefined,
    email: owner.email,
  });
}

/**
 * The identity an erasure tombstone's `customerId` names (`u:42`, `a:<anon>`, `e:<email>`, a
 * plain id being a userId, as {@link customerIds} reads it); undefined for an empty id.
 */
export function erasedIdentity(customerId: string): string | undefined {
  return identitiesOf(customerIds(customerId))[0];
}
