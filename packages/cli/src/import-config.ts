import { defineConfig, env } from '@pulse/config';

/** What `pulse import` reads from the environment; `--url` / `--write-key` override it. */
export const importConfigSpec = defineConfig({
  ingestUrl: env.url({
    env: 'PULSE_INGEST_URL',
    default: 'http://127.0.0.1:8080',
    protocols: ['http', 'https'],
    doc: 'Base URL of the ingest service that `pulse import` streams files to.',
  }),
  writeKey: env.string({
    env: 'PULSE_WRITE_KEY',
    default: 'dev-server-key',
    secret: true,
    doc: 'Server writeKey `pulse import` authenticates with (imports need a server source).',
  }),
});
