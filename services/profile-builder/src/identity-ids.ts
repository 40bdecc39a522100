import { normalizeEmail, type PulseEvent } from '@pulse/contracts';
import type { IdentityKind } from './keys';

export { normalizeEmail };

/** An identity as stored: `u:<userId>`, `a:<anonymousId>`, `e:<normalized email>`. */
export function identity(kind: IdentityKind, value: string): string {
  return `${kind}:${kind === 'e' ? normalizeEmail(value) : value}`;
}

/** The identities an event names, strongest first (userId, anonymousId, email). */
export function eventIdentities(
  event: Pick<PulseEvent, 'userId' | 'anonymousId' | 'email'>,
): string[] {
  const ids: string[] = [];
  if (event.userId) ids.push(identity('u', event.userId));
  if (event.anonymousId) ids.push(identity('a', event.anonymousId));
  if (event.email) ids.push(identity('e', event.email));
  return ids;
}

/** Which of two customers survives a merge: a known user over an anonymous one, else the smaller id (deterministic, so live and replay agree). */
export function chooseSurvivor(a: string, b: string): { survivor: string; loser: string } {
  const known = (id: string) => id.startsWith('u:');
  if (known(a) !== known(b))
    return known(a) ? { survivor: a, loser: b } : { survivor: b, loser: a };
  return a < b ? { survivor: a, loser: b } : { survivor: b, loser: a };
}
