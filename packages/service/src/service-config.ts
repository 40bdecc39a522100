import { defineConfig, env } from '@pulse/config';

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Options of `serviceConfigSpec`. */
export interface ServiceConfigOptions {
  /** Service name (kebab-case); `profile-builder` reads `PROFILE_BUILDER_HTTP_PORT`. */
  name: string;
  /** Default of `<SERVICE>_HTTP_PORT`. */
  defaultHttpPort: number;
}

/** `profile-builder` -> `PROFILE_BUILDER`: the prefix of a service's own variables. */
export function serviceEnvPrefix(name: string): string {
  return name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * The variables every service reads through the runtime: log level, HTTP address of the
 * health/metrics server and the time limits. Compose it into a README's config table with
 * the service's own spec: `renderConfigTable({ ...serviceConfigSpec(o), ...spec })`.
 */
export function serviceConfigSpec(options: ServiceConfigOptions) {
  const prefix = serviceEnvPrefix(options.name);
  return defineConfig({
    logLevel: env.enum({
      env: 'LOG_LEVEL',
      values: LOG_LEVELS,
      default: 'info',
      doc: 'Lowest level written to the JSON log.',
    }),
    httpPort: env.int({
      env: `${prefix}_HTTP_PORT`,
      default: options.defaultHttpPort,
      min: 0,
      max: 65535,
      doc: 'Port of /healthz, /readyz, /metrics and the service API (0 picks a free port).',
    }),
    httpHost: env.string({
      env: `${prefix}_HTTP_HOST`,
      default: '0.0.0.0',
      doc: 'Address the HTTP server listens on.',
    }),
    shutdownTimeout: env.duration({
      env: 'SHUTDOWN_TIMEOUT',
      default: '10s',
      min: 1,
      doc: 'Deadline for a graceful shutdown; past it the process exits with code 1.',
    }),
    metrics: env.enum({
      env: 'PULSE_METRICS',
      values: ['on', 'off'] as const,
      default: 'on',
      doc: 'off: instruments record nothing and /metrics answers 404 (to measure what metrics cost).',
    }),
    readinessTimeout: env.duration({
      env: 'READINESS_TIMEOUT',
      default: '2s',
      min: 1,
      doc: 'Time limit of each readiness check behind /readyz.',
    }),
  });
}
