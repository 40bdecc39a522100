import type { ProfileChange } from './generated';
/**
 * An email as Pulse keys customers by it (profile-builder's `e:` identities, ingest's order
 * index, the renderer's suppression lists): trimmed and lower-cased; for Gmail also without dots
 * and `+tags` in the local part (Gmail ignores both) and googlemail.com as gmail.com, so one
 * mailbox is one customer. Every service must use this one function, or an erasure or a
 * suppression of `e:<email>` misses what another service stored.
 */
export function normalizeEmail(email: string): string {
  const clean = email.trim().toLowerCase();
  const at = clean.lastIndexOf('@');
  if (at < 1) return clean;
  let local = clean.slice(0, at);
  let domain = clean.slice(at + 1);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.split('+')[0]?.replace(/\./g, '') ?? local;
  return `${local}@${domain}`;
}

/** Whether a profile change erases its customer (`pulse forget`), not a merge's tombstone. */
export const isErasure = (c: ProfileChange): boolean => c.tombstone && c.mergedInto === null;

/** Whether a profile change is a merge's tombstone (the customer lives on as `mergedInto`). */
export const isMergeTombstone = (c: ProfileChange): c is ProfileChange & { mergedInto: string } =>
  c.tombstone && c.mergedInto !== null;
