import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

/** Where a Docker engine may listen: a unix socket or a TCP address. */
export type DockerEndpoint =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean };

/** Options of `findDockerEngine`. */
export interface DockerProbeOptions {
  /** Default `process.env` (reads DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). */
  env?: NodeJS.ProcessEnv;
  /** Per-endpoint time limit of the ping; default 1000 ms. */
  timeoutMs?: number;
  /** Default `os.homedir()`. */
  homeDir?: string;
}

/**
 * The endpoints to try, in testcontainers' order: DOCKER_HOST alone when set; otherwise the
 * standard socket, then the rootless and Docker Desktop ones.
 */
export function dockerEndpoints(env: NodeJS.ProcessEnv, homeDir: string): DockerEndpoint[] {
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    if (host.startsWith('unix://'))
      return [{ kind: 'socket', socketPath: host.slice('unix://'.length) }];
    if (host.startsWith('tcp://') && URL.canParse(host)) {
      const url = new URL(host);
      const tls = Boolean(env.DOCKER_TLS_VERIFY) && env.DOCKER_TLS_VERIFY !== '0';
      return [
        { kind: 'tcp', host: url.hostname, port: Number(url.port || (tls ? 2376 : 2375)), tls },
      ];
    }
    return [];
  }
  const sockets = ['/var/run/docker.sock'];
  if (env.XDG_RUNTIME_DIR) sockets.push(path.join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  sockets.push(
    path.join(homeDir, '.docker/run/docker.sock'),
    path.join(homeDir, '.docker/desktop/docker.sock'),
  );
  if (typeof process.getuid === 'function')
    sockets.push(`/run/user/${process.getuid()}/docker.sock`);
  return [...new Set(sockets)].map((socketPath) => ({ kind: 'socket', socketPath }));
}

function tlsFiles(env: NodeJS.ProcessEnv): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const dir = env.DOCKER_CERT_PATH;
  if (!dir) return {};
  const read = (name: string): Buffer | undefined => {
    try {
      return readFileSync(path.join(dir, name));
    } catch {
      return undefined;
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/** GET /_ping: an engine answers 200 `OK`. A CLI that merely exists answers nothing. */
export function pingDocker(
  endpoint: DockerEndpoint,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  return new Promise((resolve) => {
    const options = { path: '/_ping', method: 'GET', timeout: timeoutMs };
    const onResponse = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'OK'));
    };
    const req =
      endpoint.kind === 'socket'
        ? http.request({ ...options, socketPath: endpoint.socketPath }, onResponse)
        : endpoint.tls
          ? https.request(
              { ...options, host: endpoint.host, port: endpoint.port, ...tlsFiles(env) },
              onResponse,
            )
          : http.request({ ...options, host: endpoint.host, port: endpoint.port }, onResponse);
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function describeEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === 'socket'
    ? `unix://${endpoint.socketPath}`
    : `${endpoint.tls ? 'https' : 'tcp'}://${endpoint.host}:${endpoint.port}`;
}

/**
 * The first Docker engine that answers a ping (e.g. `unix:///var/run/docker.sock`), or
 * `undefined`. Fast: a missing socket fails at once, a silent one after `timeoutMs`.
 */
export async function findDockerEngine(
  options: DockerProbeOptions = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 1_000;
  for (const endpoint of dockerEndpoints(env, options.homeDir ?? os.homedir())) {
    if (await pingDocker(endpoint, timeoutMs, env)) return describeEndpoint(endpoint);
  }
  return undefined;
}

/** True when a Docker engine answers; `docker --version` answering is not enough. */
export async function isDockerEngineReachable(options: DockerProbeOptions = {}): Promise<boolean> {
  return (await findDockerEngine(options)) !== undefined;
}
