import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';

// The fixture runs in its own process (node --import tsx) because runService owns signals and
// process.exit; its tsconfig maps @pulse/* to source so no build is needed.
const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(ROOT, 'packages/service/test/fixtures/tiny-service.ts');
const TSCONFIG = path.join(ROOT, 'packages/service/test/fixtures/tsconfig.json');

interface LogLine {
  level: string;
  msg: string;
  port?: number;
  problems?: string[];
}

interface Child {
  process: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first log line whose msg is `msg`. */
  line(msg: string): Promise<LogLine>;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startTiny(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: TSCONFIG, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: LogLine[] = [];
  const waiters: { msg: string; resolve: (line: LogLine) => void }[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const text of complete.filter(Boolean)) {
      const line = JSON.parse(text) as LogLine; // the service writes pino JSON lines
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
    }
  });
  // 'close', not 'exit': it comes once stdout is drained, so the last log lines are in `lines`
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const line = (msg: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) return resolve(seen);
      waiters.push({ msg, resolve });
      void exit.then((code) => reject(new Error(`exited (${code}) before logging "${msg}"`)));
    });
  return { process: child, lines, line, exit };
}

const GOOD_ENV = { TINY_GREETING: 'hi', TINY_HTTP_PORT: '0', TINY_HTTP_HOST: '127.0.0.1' };

describe('runService in a real process', () => {
  it('on SIGTERM marks not ready, runs close() and exits 0', async () => {
    const tiny = startTiny(GOOD_ENV);
    const { port } = await tiny.line('http server listening');
    await tiny.line('service started');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    tiny.process.kill('SIGTERM');
    expect(await tiny.exit).toBe(0);
    const messages = tiny.lines.map((l) => l.msg);
    expect(messages.slice(messages.indexOf('stopping'))).toEqual([
      'stopping',
      'shutting down',
      'tiny closed',
      'shut down',
    ]);
  }, 30_000);

  it('exits 1 when close() outlives SHUTDOWN_TIMEOUT', async () => {
    const tiny = startTiny({ ...GOOD_ENV, TINY_CLOSE_DELAY: '1m', SHUTDOWN_TIMEOUT: '100ms' });
    await tiny.line('service started');
    tiny.process.kill('SIGINT');
    expect(await tiny.exit).toBe(1);
    expect(tiny.lines.map((l) => l.msg)).toContain('shutdown deadline passed');
    expect(tiny.lines.map((l) => l.msg)).not.toContain('tiny closed');
  }, 30_000);

  it('on bad config exits 78 after one line naming every bad variable', async () => {
    const tiny = startTiny({ TINY_HTTP_PORT: 'eighty', SHUTDOWN_TIMEOUT: 'later' });
    expect(await tiny.exit).toBe(78);
    expect(tiny.lines).toHaveLength(1);
    const [line] = tiny.lines;
    expect(line?.level).toBe('fatal');
    expect(line?.problems).toEqual(['TINY_HTTP_PORT', 'SHUTDOWN_TIMEOUT', 'TINY_GREETING']);
    expect(line?.msg).toContain('TINY_HTTP_PORT="eighty" is invalid');
    expect(line?.msg).toContain('SHUTDOWN_TIMEOUT="later" is invalid');
    expect(line?.msg).toContain('TINY_GREETING is required but not set');
  }, 30_000);
});
