import { afterEach, describe, expect, it } from '@jest/globals';
import { ConfigError, defineConfig, env } from '@pulse/config';
import { createLogger, silentLogger } from '@pulse/core';
import { createMetrics } from '@pulse/metrics';
import { Counter } from 'prom-client';
import { createServiceRuntime } from './runtime';
import type { ServiceRuntime, StartedService } from './runtime';

const spec = defineConfig({
  greeting: env.string({ env: 'DEMO_GREETING', default: 'hello', doc: 'What the demo says.' }),
});
const localEnv = { DEMO_HTTP_PORT: '0', DEMO_HTTP_HOST: '127.0.0.1' };

let runtime: ServiceRuntime<unknown> | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

function make(
  start: () => Promise<StartedService>,
  extraEnv: Record<string, string> = {},
  logger = silentLogger(),
) {
  const created = createServiceRuntime({
    name: 'demo',
    configSpec: spec,
    defaultHttpPort: 8080,
    env: { ...localEnv, ...extraEnv },
    logger,
    metrics: createMetrics({ service: 'demo', collectDefaults: false }),
    start,
  });
  runtime = created;
  return created;
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('createServiceRuntime', () => {
  it('serves /healthz, /readyz from real checks, /metrics and the service handler', async () => {
    let redisUp = false;
    const svc = make(async () => ({
      close: async () => undefined,
      readiness: {
        kafka: async () => true,
        redis: async () => (redisUp ? true : 'PING timed out'),
      },
      httpHandler: (_req, res) => {
        res.writeHead(201).end('from the service');
      },
    }));
    const { url, config, metrics } = await svc.start();
    expect(config).toEqual({ greeting: 'hello' });

    expect(await getJson(`${url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await getJson(`${url}/readyz`)).toEqual({
      status: 503,
      body: {
        status: 'not ready',
        ready: false,
        failing: ['redis'],
        checks: { kafka: { ok: true }, redis: { ok: false, reason: 'PING timed out' } },
      },
    });
    redisUp = true;
    expect((await getJson(`${url}/readyz`)).status).toBe(200);

    new Counter({
      name: metrics.name('greetings', 'total'),
      help: 'x',
      registers: [metrics.registry],
    }).inc();
    const scrape = await fetch(`${url}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    expect(await scrape.text()).toContain('pulse_demo_greetings_total 1');

    const other = await fetch(`${url}/api/anything`);
    expect([other.status, await other.text()]).toEqual([201, 'from the service']);
    expect((await fetch(`${url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 404 for other paths when the service has no handler', async () => {
    const { url } = await make(async () => ({ close: async () => undefined })).start();
    expect(await getJson(`${url}/nope`)).toEqual({ status: 404, body: { error: 'not found' } });
  });

  it('is not ready while starting and while stopping, and stop() closes everything once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let closes = 0;
    const capture = captureLogger();
    const svc = make(
      async () => {
        await gate;
        return { close: async () => void closes++ };
      },
      {},
      capture.logger,
    );
    const starting = svc.start();
    const url = await capture.url;
    expect(await getJson(`${url}/readyz`)).toMatchObject({
      status: 503,
      body: { status: 'starting' },
    });
    // The service's own paths answer "retry", not 404, until it runs (a 404 drops the call).
    const early = await fetch(`${url}/v1/track`, { method: 'POST' });
    expect([early.status, early.headers.get('retry-after'), await early.json()]).toEqual([
      503,
      '1',
      { error: 'starting' },
    ]);
    release();
    await starting;
    expect((await getJson(`${url}/readyz`)).status).toBe(200);

    const stopping = svc.stop();
    expect(svc.stop()).toBe(stopping);
    const report = await stopping;
    expect(report).toMatchObject({ ok: true, closed: ['service', 'http server'] });
    expect(closes).toBe(1);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('reports a close that outlives SHUTDOWN_TIMEOUT and still frees the port', async () => {
    const svc = make(async () => ({ close: () => new Promise<void>(() => undefined) }), {
      SHUTDOWN_TIMEOUT: '50ms',
    });
    const { url } = await svc.start();
    const report = await svc.stop();
    expect(report).toMatchObject({ ok: false, timedOut: 'service', skipped: ['http server'] });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('rejects with one ConfigError naming the runtime and service variables', async () => {
    const strict = defineConfig({ name: env.string({ env: 'DEMO_NAME', doc: 'Required.' }) });
    const svc = createServiceRuntime({
      name: 'demo',
      configSpec: strict,
      defaultHttpPort: 8080,
      env: { DEMO_HTTP_PORT: 'eighty', SHUTDOWN_TIMEOUT: 'soon', LOG_LEVEL: 'chatty' },
      logger: silentLogger(),
      start: async () => ({ close: async () => undefined }),
    });
    const error: unknown = await svc.start().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    const problems = error instanceof ConfigError ? error.problems.map((p) => p.env) : [];
    expect(problems).toEqual(['LOG_LEVEL', 'DEMO_HTTP_PORT', 'SHUTDOWN_TIMEOUT', 'DEMO_NAME']);
    expect((await svc.stop()).ok).toBe(true);
  });

  it('closes the HTTP server when start() fails', async () => {
    const capture = captureLogger();
    const svc = make(
      async () => {
        await capture.url;
        throw new Error('cannot reach Kafka');
      },
      {},
      capture.logger,
    );
    await expect(svc.start()).rejects.toThrow('cannot reach Kafka');
    await expect(fetch(`${await capture.url}/healthz`)).rejects.toThrow();
  });
});

/**
 * A logger that keeps its lines, and resolves `url` once the runtime logs that it listens: the
 * way a test learns the ephemeral port before start() has finished.
 */
function captureLogger() {
  let resolveUrl: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (resolveUrl = resolve));
  const logger = createLogger({
    name: 'demo',
    level: 'debug',
    destination: {
      write(line: string) {
        const entry: unknown = JSON.parse(line);
        if (isListening(entry)) resolveUrl(`http://127.0.0.1:${entry.port}`);
      },
    },
  });
  return { logger, url };
}

function isListening(entry: unknown): entry is { port: number } {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    'msg' in entry &&
    entry.msg === 'http server listening' &&
    'port' in entry &&
    typeof entry.port === 'number'
  );
}
