import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * True when `header` is `Bearer <token>`. Compares SHA-256 digests with timingSafeEqual, so the
 * time taken says nothing about how much of the token matched, nor about its length. Every
 * service's admin token is checked through this one function.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = sha256(match?.[1] ?? '');
  return timingSafeEqual(given, sha256(token)) && match !== null;
}
