import { createHash } from 'node:crypto';
import type { PulseEvent } from '@pulse/contracts';
import { eventIdentities, identity } from './identity-ids';

/**
 * What the suppression set keeps of an erased identity: sha256 (hex) of the identity as stored
 * (`u:<userId>`, `a:<anonymousId>`, `e:<normalized email>`), so the set holds no personal data
 * yet an event naming any of those ids (an email in any spelling that normalizes alike) matches.
 */
export function suppressionHash(storedIdentity: string): string {
  return createHash('sha256').update(storedIdentity).digest('hex');
}

/** Every identity an event names, the identify's email trait included. */
export function eventSuppressionIds(event: PulseEvent): string[] {
  const ids = eventIdentities(event);
  const payload = event.payload;
  if ('pulse.events.IdentifyPayload' in payload) {
    const email = payload['pulse.events.IdentifyPayload'].email;
    if (email) ids.push(identity('e', email));
  }
  return ids;
}

/** The identities a caller's id may stand for (canonical id, userId, anonymousId, email). */
export function candidateIdentities(id: string): string[] {
  const out = [identity('u', id), identity('a', id)];
  if (id.includes('@')) out.push(identity('e', id));
  if (/^[uae]:./.test(id)) out.unshift(id.startsWith('e:') ? identity('e', id.slice(2)) : id);
  return [...new Set(out)];
}

/**
 * Splits a batch into the events to fold and those naming an erased identity (skipped: a
 * replay of events.v1 must not bring an erased customer back). `erased` answers, per hash,
 * whether it is suppressed — one set lookup for the whole batch.
 */
export async function withoutErased(
  events: readonly PulseEvent[],
  erased: (hashes: readonly string[]) => Promise<boolean[]>,
): Promise<{ kept: PulseEvent[]; skipped: number }> {
  const perEvent = events.map((e) => eventSuppressionIds(e).map(suppressionHash));
  const hashes = [...new Set(perEvent.flat())];
  const flags = await erased(hashes);
  const hit = new Set(hashes.filter((_, i) => flags[i]));
  if (hit.size === 0) return { kept: [...events], skipped: 0 };
  const kept = events.filter((_, i) => !(perEvent[i] ?? []).some((h) => hit.has(h)));
  return { kept, skipped: events.length - kept.length };
}
