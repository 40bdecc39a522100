/**
 * Tracking tokens moved to @pulse/email-token, shared with the renderer that signs them; this
 * module keeps ingest's imports working.
 */
export { emailTokenSchema, signEmailToken, verifyEmailToken } from '@pulse/email-token';
export type { EmailTokenClaims } from '@pulse/email-token';
