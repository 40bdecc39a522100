import { env } from '@pulse/config';

/** The tracking secret's default: a dev value, the same in every service that spreads this slice. */
export const DEV_EMAIL_TRACKING_SECRET = 'dev-email-tracking-secret-change-me';

/**
 * The config slice of the tracking secret. One variable for both sides — ingest verifies with
 * it, the renderer signs with it — so a deployment cannot configure them apart. The name keeps
 * ingest's original `INGEST_EMAIL_TRACKING_SECRET` so existing deployments keep working.
 */
export const emailTokenConfigSpec = {
  emailTrackingSecret: env.string({
    env: 'INGEST_EMAIL_TRACKING_SECRET',
    default: DEV_EMAIL_TRACKING_SECRET,
    secret: true,
    doc: 'HMAC key of email open/click tracking tokens (the renderer signs, ingest verifies).',
  }),
};
