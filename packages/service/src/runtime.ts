import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, PulseError, systemClock } from '@pulse/core';
import type { Clock, Logger } from '@pulse/core';
import { ConfigError, loadConfig, specEntries } from '@pulse/config';
import type { ConfigOf, ConfigProblem, ConfigSpec } from '@pulse/config';
import { createMetrics } from '@pulse/metrics';
import type { Metrics } from '@pulse/metrics';
import { closeAll, once } from './close-all';
import type { CloseReport } from './close-all';
import { createHttpHandler } from './http';
import type { HttpHandler, Phase } from './http';
import type { ReadinessCheck } from './readiness';
import { serviceConfigSpec, serviceEnvPrefix } from './service-config';

/** What `start` receives: everything a service needs, as arguments. */
export interface ServiceContext<C> {
  /** The service's own config, loaded and frozen. */
  config: C;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Aborted when shutdown begins, so a slow start can give up early. */
  signal: AbortSignal;
}

/** What `start` returns once the service is working. */
export interface StartedService {
  /** Stops the service's work: stop fetching, drain, commit, flush, disconnect. */
  close(): Promise<void>;
  /** Named checks of real dependency state, run on every `/readyz`. */
  readiness?: Record<string, ReadinessCheck>;
  /** Handles every path other than /healthz, /readyz and /metrics (e.g. an express app). */
  httpHandler?: HttpHandler;
}

/** Options of `createServiceRuntime` (and `runService`). */
export interface ServiceRuntimeOptions<S extends ConfigSpec> {
  /** Service name, kebab-case: names logs, metrics and the `<SERVICE>_HTTP_PORT` variable. */
  name: string;
  /** The service's own config spec (the runtime adds its own variables beside it). */
  configSpec: S;
  /** Default of `<SERVICE>_HTTP_PORT`. */
  defaultHttpPort: number;
  /** Starts the service's work; called once the HTTP server is listening. */
  start(context: ServiceContext<ConfigOf<S>>): Promise<StartedService>;
  /** Where config is read from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Default: a JSON logger named after the service, at `LOG_LEVEL`. */
  logger?: Logger;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: `createMetrics({ service: name })`. */
  metrics?: Metrics;
}

/** A started runtime. */
export interface RunningService<C> {
  config: C;
  logger: Logger;
  metrics: Metrics;
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
}

/** The lifecycle without the process: no signals, no exit. `runService` adds those. */
export interface ServiceRuntime<C> {
  /** Loads config (throws `ConfigError`), listens, then calls `start`. Idempotent. */
  start(): Promise<RunningService<C>>;
  /** Marks not ready, closes the service then the HTTP server under the deadline. Idempotent. */
  stop(): Promise<CloseReport>;
}

function listen(server: Server, port: number, host: string, portEnv: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? `; set ${portEnv} to a free port` : '';
      reject(
        new PulseError('HTTP_LISTEN_FAILED', `cannot listen on ${host}:${port}${hint}`, {
          cause: err,
        }),
      );
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port)); // a TCP server's address() is an AddressInfo
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}

const EMPTY_REPORT: CloseReport = {
  ok: true,
  closed: [],
  failed: [],
  timedOut: undefined,
  skipped: [],
};

type RuntimeConfig = ConfigOf<ReturnType<typeof serviceConfigSpec>>;

/** Loads the runtime's slice and the service's spec together: one error lists both's problems. */
function loadAll<S extends ConfigSpec>(
  slice: ReturnType<typeof serviceConfigSpec>,
  spec: S,
  env: NodeJS.ProcessEnv,
): { runtime: RuntimeConfig; service: ConfigOf<S> } {
  specEntries({ runtime: slice, service: spec });
  const problems: ConfigProblem[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const runtime = attempt(() => loadConfig(slice, env));
  const service = attempt(() => loadConfig(spec, env));
  if (!runtime || !service) throw new ConfigError(problems);
  return { runtime, service };
}

interface Booted<C> {
  running: RunningService<C>;
  server: Server;
  shutdownTimeoutMs: number;
}

/** Creates a service's lifecycle; see `ServiceRuntime`. */
export function createServiceRuntime<S extends ConfigSpec>(
  options: ServiceRuntimeOptions<S>,
): ServiceRuntime<ConfigOf<S>> {
  const slice = serviceConfigSpec({ name: options.name, defaultHttpPort: options.defaultHttpPort });
  const aborter = new AbortController();
  let phase: Phase = 'starting';
  let started: StartedService | undefined;
  let boot: Promise<Booted<ConfigOf<S>>> | undefined;

  const listenHttp = async (runtime: RuntimeConfig, logger: Logger, metrics: Metrics) => {
    const server = createServer(
      createHttpHandler({
        metrics,
        logger,
        readinessTimeoutMs: runtime.readinessTimeout,
        state: {
          phase: () => phase,
          checks: () => started?.readiness ?? {},
          fallback: () => started?.httpHandler,
        },
      }),
    );
    const portEnv = `${serviceEnvPrefix(options.name)}_HTTP_PORT`;
    const port = await listen(server, runtime.httpPort, runtime.httpHost, portEnv);
    logger.info({ port, host: runtime.httpHost }, 'http server listening');
    const host = ['0.0.0.0', '::'].includes(runtime.httpHost) ? '127.0.0.1' : runtime.httpHost;
    return { server, port, url: `http://${host}:${port}` };
  };

  const bootOnce = async (): Promise<Booted<ConfigOf<S>>> => {
    if (aborter.signal.aborted) throw new PulseError('SHUTTING_DOWN', 'stopped before start');
    const loaded = loadAll(slice, options.configSpec, options.env ?? process.env);
    const logger =
      options.logger ?? createLogger({ name: options.name, level: loaded.runtime.logLevel });
    const metrics =
      options.metrics ??
      createMetrics({ service: options.name, enabled: loaded.runtime.metrics === 'on' });
    const { server, port, url } = await listenHttp(loaded.runtime, logger, metrics);
    const context = {
      config: loaded.service,
      logger,
      metrics,
      clock: options.clock ?? systemClock,
    };
    try {
      started = await options.start({ ...context, signal: aborter.signal });
    } catch (err) {
      await closeServer(server).catch(() => undefined);
      throw err;
    }
    if (phase === 'starting') phase = 'running';
    logger.info('service started');
    const running = { config: loaded.service, logger, metrics, url, port };
    return { running, server, shutdownTimeoutMs: loaded.runtime.shutdownTimeout };
  };

  const start = once(async () => {
    const booting = bootOnce();
    boot = booting;
    return (await booting).running;
  });

  const stop = once(async (): Promise<CloseReport> => {
    phase = 'stopping';
    aborter.abort(new PulseError('SHUTTING_DOWN', 'the service is shutting down'));
    const booted = await boot?.catch(() => undefined);
    if (!booted || !started) return EMPTY_REPORT;
    const service = started;
    const { logger } = booted.running;
    logger.info({ deadlineMs: booted.shutdownTimeoutMs }, 'shutting down');
    const report = await closeAll(
      [
        ['service', () => service.close()],
        ['http server', () => closeServer(booted.server)],
      ],
      { deadlineMs: booted.shutdownTimeoutMs, logger },
    );
    if (booted.server.listening) {
      // Out of time or the close failed: drop connections rather than leave the port open.
      booted.server.closeAllConnections();
      booted.server.close();
    }
    logger.info({ report }, report.ok ? 'shut down' : 'shut down uncleanly');
    return report;
  });

  return { start, stop };
}
