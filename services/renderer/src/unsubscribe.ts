import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed unsubscribe link names. */
export interface UnsubscribeClaim {
  customerId: string;
  campaignId: string;
  emailId: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** `payload.signature`, both base64url; HMAC-SHA256 of the payload with the secret. */
export function signUnsubscribe(secret: string, claim: UnsubscribeClaim): string {
  const payload = b64(JSON.stringify([claim.customerId, claim.campaignId, claim.emailId]));
  const sig = createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${sig}`;
}

/** The claim of a valid token, or null (bad shape or signature). */
export function verifyUnsubscribe(secret: string, token: string): UnsubscribeClaim | null {
  const [payload, sig] = token.split('.');
  if (!payload || !sig) return null;
  const expected = Buffer.from(createHmac('sha256', secret).update(payload).digest('base64url'));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (
      !Array.isArray(parsed) ||
      parsed.length !== 3 ||
      !parsed.every((x) => typeof x === 'string')
    )
      return null;
    const [customerId, campaignId, emailId] = parsed as [string, string, string];
    return { customerId, campaignId, emailId };
  } catch {
    return null;
  }
}

/** RFC 8058 headers: a signed HTTPS link plus mailto, and the one-click POST marker. */
export function unsubscribeHeaders(url: string, mailto: string | null): Record<string, string> {
  const targets = [`<${url}>`, ...(mailto ? [`<mailto:${mailto}>`] : [])];
  return {
    'List-Unsubscribe': targets.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
