import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { renderLogLine, type ServiceProcess } from '@pulse/cli';

/**
 * The five services as child processes, like the demo's supervisor runs them, plus what the
 * supervisor deliberately does not offer: kill -9 of one service and its restart.
 */
export interface ServiceFleet {
  names(): string[];
  /** Resolves once each named service (default all) answers /readyz with 200. */
  ready(timeoutMs: number, names?: readonly string[]): Promise<void>;
  /** SIGKILL, resolved once the process is gone. */
  kill(name: string): Promise<void>;
  /** Starts the service again with the same environment. */
  start(name: string): void;
  /** Services that exited without being killed by the test. */
  crashed(): string[];
  /** SIGTERM to all, SIGKILL after `graceMs`; idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** Starts every service; their log lines, labelled, go to `logFile`. */
export function startFleet(services: readonly ServiceProcess[], logFile: string): ServiceFleet {
  const log = createWriteStream(logFile, { flags: 'a' });
  const byName = new Map(services.map((s) => [s.name, s]));
  const children = new Map<string, ChildProcess>();
  const crashed: string[] = [];
  const killing = new Set<ChildProcess>();
  let stopping = false;

  const start = (name: string) => {
    const service = byName.get(name);
    if (!service) throw new Error(`no service named ${name}`);
    const child = spawn(process.execPath, [service.entry], {
      // Services resolve their default config paths (config/...) from the repository root.
      cwd: path.resolve(path.dirname(service.entry), '..', '..', '..'),
      env: { ...process.env, ...service.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(name, child);
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) =>
        log.write(`[${name}] ${renderLogLine(line)}\n`),
      );
    child.on('exit', (code, signal) => {
      log.write(`[${name}] exited (${signal ?? `code ${code}`})\n`);
      if (!stopping && !killing.has(child)) crashed.push(name);
    });
  };
  for (const s of services) start(s.name);

  let stopped: Promise<void> | undefined;
  return {
    names: () => [...byName.keys()],
    async ready(timeoutMs, names = [...byName.keys()]) {
      const deadline = Date.now() + timeoutMs;
      const waiting = new Set(names);
      while (waiting.size > 0) {
        for (const name of waiting) if (await answers(byName.get(name)!.port)) waiting.delete(name);
        const dead = crashed.filter((name) => waiting.has(name));
        if (dead.length > 0) throw new Error(`service(s) exited: ${dead.join(', ')}`);
        if (waiting.size === 0) return;
        if (Date.now() > deadline)
          throw new Error(`not ready after ${timeoutMs} ms: ${[...waiting].join(', ')}`);
        await sleep(100);
      }
    },
    async kill(name) {
      const child = children.get(name);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      killing.add(child);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    start,
    crashed: () => [...crashed],
    stop(graceMs = 15_000) {
      stopped ??= (async () => {
        stopping = true;
        const live = [...children.values()].filter(
          (c) => c.exitCode === null && c.signalCode === null,
        );
        const exits = live.map((c) => new Promise((resolve) => c.once('exit', resolve)));
        for (const child of live) child.kill('SIGTERM');
        const timer = setTimeout(() => {
          for (const child of live) if (child.exitCode === null) child.kill('SIGKILL');
        }, graceMs);
        await Promise.all(exits);
        clearTimeout(timer);
        await new Promise((resolve) => log.end(resolve));
      })();
      return stopped;
    },
  };
}
