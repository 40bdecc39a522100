/**
 * @pulse/email-token: HMAC-signed claims of email open pixels and click links, shared by the
 * renderer (signs) and ingest (verifies) so both sides agree on one format and one secret.
 */
export { emailTokenSchema, signEmailToken, verifyEmailToken } from './email-token';
export type { EmailTokenClaims } from './email-token';
export { DEV_EMAIL_TRACKING_SECRET, emailTokenConfigSpec } from './config';
