import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A process the supervisor runs: a service's built main.js with its environment. */
export interface ServiceProcess {
  name: string;
  entry: string;
  env: Record<string, string>;
  /** Port of /readyz; the supervisor waits for 200 there. */
  port: number;
}

export interface Supervisor {
  /** Resolves once every service answers /readyz with 200; rejects naming the ones that did not. */
  ready(timeoutMs: number): Promise<void>;
  /** SIGTERM to all, SIGKILL after `graceMs`; resolves when every process exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** Names of services that exited on their own (crashed). */
  exited(): string[];
}

const COLORS = [36, 35, 33, 32, 34, 91, 96];
const SKIPPED_FIELDS = new Set(['level', 'msg', 'time', 'pid', 'hostname', 'name', 'timestamp']);

/** One log line for people: pino's JSON rendered as `level msg key=value`, anything else as is. */
export function renderLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const { level, msg } = entry;
    // Fields every line has (and the supervisor's label already says): left out.
    const rest = Object.fromEntries(Object.entries(entry).filter(([k]) => !SKIPPED_FIELDS.has(k)));
    const fields = Object.entries(rest)
      .map(([k, v]): [string, unknown] => {
        // Errors are objects in pino's JSON: show what they say, not [object Object].
        if (typeof v === 'object' && v !== null && 'message' in v)
          return [k, (v as { message: unknown }).message];
        return [k, v];
      })
      .filter(([, v]) => v !== undefined && typeof v !== 'object')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    return `${String(level ?? '').padEnd(5)} ${String(msg ?? '')}${fields ? `  ${fields}` : ''}`;
  } catch {
    return line;
  }
}

/** Ports among `ports` where something already accepts connections on 127.0.0.1. */
export async function portsInUse(ports: readonly number[]): Promise<number[]> {
  const taken = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port });
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        }),
    ),
  );
  return ports.filter((_, i) => taken[i]);
}

/** Starts every service as a child process, each line of its output labelled and colored. */
export function supervise(
  services: readonly ServiceProcess[],
  write: (line: string) => void,
  color = process.stdout.isTTY === true,
): Supervisor {
  const width = Math.max(...services.map((s) => s.name.length));
  const children = new Map<string, ChildProcess>();
  const done = new Map<string, Promise<void>>();
  const crashed: string[] = [];
  let stopping = false;
  services.forEach((service, i) => {
    const label = `[${service.name.padEnd(width)}]`;
    const tag = color ? `\u001b[${COLORS[i % COLORS.length]}m${label}\u001b[0m` : label;
    const child = spawn(process.execPath, [service.entry], {
      // Services resolve their default config paths (config/...) from the repository root.
      cwd: path.resolve(path.dirname(service.entry), '..', '..', '..'),
      env: { ...process.env, ...service.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(service.name, child);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) =>
        write(`${tag} ${renderLogLine(line)}`),
      );
    }
    done.set(
      service.name,
      new Promise<void>((resolve) =>
        child.on('exit', (code, signal) => {
          if (!stopping) {
            crashed.push(service.name);
            write(`${tag} exited (${signal ?? `code ${code}`})`);
          }
          resolve();
        }),
      ),
    );
  });

  async function answers(port: number): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, {
        signal: AbortSignal.timeout(1_000),
      });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  let stopped: Promise<void> | undefined;
  return {
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const waiting = new Set(services.map((s) => s.name));
      while (waiting.size > 0) {
        for (const s of services)
          if (waiting.has(s.name) && (await answers(s.port))) waiting.delete(s.name);
        const dead = crashed.filter((name) => waiting.has(name));
        if (dead.length > 0)
          throw new Error(`service(s) exited before they were ready: ${dead.join(', ')}`);
        if (waiting.size === 0) break;
        if (Date.now() > deadline)
          throw new Error(`not ready after ${timeoutMs} ms: ${[...waiting].join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    stop(graceMs = 15_000) {
      stopped ??= (async () => {
        stopping = true;
        for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
        const kill = setTimeout(() => {
          for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
        }, graceMs);
        await Promise.all(done.values());
        clearTimeout(kill);
      })();
      return stopped;
    },
    exited: () => [...crashed],
  };
}
