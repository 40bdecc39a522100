import { signEmailToken } from '@pulse/email-token';
import type { EmailTokenClaims } from '@pulse/email-token';
import { trackLinks } from '@pulse/templates';

/** Where opens and clicks go: ingest's public base URL and the secret it verifies with. */
export interface TrackingConfig {
  /** e.g. `https://t.shop.example.com` → `<base>/v1/email/open/<token>.gif`, `/v1/email/click/<token>`. */
  baseUrl: string;
  secret: string;
}

export interface TrackedSend {
  emailId: string;
  customerId: string;
  campaignId: string;
  variant: string | null;
  /** Links never rewritten (the unsubscribe URL: one-click must not depend on ingest). */
  keep: readonly string[];
}

/**
 * Rewrites the http(s) links of a sent email to ingest's signed click redirect and adds the open
 * pixel; every token names the send (emails.v1 emailId), customer, campaign and variant, so
 * ingest's Email Opened / Email Link Clicked events attribute to the send without a lookup.
 */
export function trackEmailLinks(html: string, tracking: TrackingConfig, send: TrackedSend): string {
  const base = tracking.baseUrl.replace(/\/+$/, '');
  const claims: EmailTokenClaims = {
    s: send.emailId,
    p: send.customerId,
    c: send.campaignId,
    ...(send.variant ? { v: send.variant } : {}),
  };
  const keep = new Set(send.keep);
  return trackLinks(html, {
    click: (url) =>
      keep.has(url)
        ? null
        : `${base}/v1/email/click/${signEmailToken(tracking.secret, { ...claims, u: url })}`,
    pixel: `${base}/v1/email/open/${signEmailToken(tracking.secret, claims)}.gif`,
  });
}
