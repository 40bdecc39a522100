import { defineConfig, env } from '@pulse/config';

/**
 * What `pulse preview` / `pulse send-test` (and `pulse campaign`, `pulse suppress import`) read
 * from the environment (`--url` overrides).
 */
export const previewConfigSpec = defineConfig({
  rendererUrl: env.url({
    env: 'RENDERER_URL',
    default: 'http://127.0.0.1:8085',
    protocols: ['http', 'https'],
    doc: 'Base URL of the renderer whose POST /v1/preview renders the email.',
  }),
  adminToken: env.string({
    env: 'RENDERER_ADMIN_TOKEN',
    secret: true,
    doc: "Bearer token of the renderer's preview and admin APIs (required: they are closed without one).",
  }),
  smtpUrl: env.string({
    env: 'SMTP_URL',
    default: 'smtp://127.0.0.1:1025',
    doc: '`pulse send-test` delivers through this SMTP relay.',
  }),
});
