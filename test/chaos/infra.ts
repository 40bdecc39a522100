import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

/**
 * The chaos test's own Kafka broker and Redis: the shared stack on a machine is used by other
 * people, so the faults are injected into private copies, never into it. The schema registry
 * and maildev are shared (the test only reads its own subjects and its own run's mail).
 */
export interface PrivateInfra {
  kafkaBrokers: string;
  redisUrl: string;
  /** Graceful broker stop then start, with the same data (infra/stack.sh down + up). */
  restartKafka(): Promise<void>;
  /** kill -9 of redis-server, then a new one on the same AOF file. */
  restartRedis(): Promise<void>;
  /** Stops both; idempotent, never throws. */
  close(): Promise<void>;
}

export interface PrivateInfraOptions {
  root: string;
  stateDir: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  redisPort: number;
  /** The shared registry's port, so stack.sh sees it answering and starts none. */
  registryPort: number;
  smtpPort: number;
  maildevWebPort: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kafka's jars are 100+ MB: reuse a fetched copy instead of fetching them per run. */
function linkKafkaLib(root: string, stateDir: string): void {
  const target = path.join(stateDir, 'kafka', 'lib');
  if (existsSync(target)) return;
  const candidates = [process.env.CHAOS_KAFKA_LIB, path.join(root, '.state', 'kafka', 'lib')];
  const found = candidates.find((dir) => dir && existsSync(path.join(dir, '.complete')));
  if (!found) return; // stack.sh fetches them (from Maven's local cache after the first time)
  mkdirSync(path.dirname(target), { recursive: true });
  symlinkSync(found, target);
}

function runStackSh(o: PrivateInfraOptions, command: 'up' | 'down'): Promise<void> {
  const env = {
    ...process.env,
    PULSE_STATE_DIR: o.stateDir,
    KAFKA_PORT: String(o.kafkaPort),
    KAFKA_CONTROLLER_PORT: String(o.kafkaControllerPort),
    REGISTRY_PORT: String(o.registryPort),
    REDIS_URL: `redis://127.0.0.1:${o.redisPort}`,
    SMTP_PORT: String(o.smtpPort),
    MAILDEV_WEB_PORT: String(o.maildevWebPort),
    KAFKA_HEAP: process.env.CHAOS_KAFKA_HEAP ?? '384m',
  };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(o.root, 'infra', 'stack.sh'), command], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      for (const line of output.split('\n').filter(Boolean)) o.log(`stack.sh ${command}: ${line}`);
      if (code === 0) resolve();
      else reject(new Error(`infra/stack.sh ${command} exited with ${code}: ${output.trim()}`));
    });
  });
}

/** True when a Redis answers PING on the port. */
export function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.once('error', () => done(false));
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Starts a private Redis (AOF on, fsync every second) and a private Kafka broker. */
export async function startPrivateInfra(o: PrivateInfraOptions): Promise<PrivateInfra> {
  const redisDir = path.join(o.stateDir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  let redis: ChildProcess | undefined;
  const startRedis = async () => {
    // `appendfsync everysec` still writes each command to the file before replying, so a
    // kill -9 of the process (not of the machine) loses nothing that was acknowledged.
    redis = spawn(
      'redis-server',
      [
        ...['--bind', '127.0.0.1', '--port', String(o.redisPort), '--dir', redisDir],
        ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
      ],
      { stdio: 'ignore' },
    );
    await until('private redis', () => redisAnswers(o.redisPort), 20_000);
  };
  const stopRedis = async (signal: NodeJS.Signals) => {
    const child = redis;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };

  let kafkaStarted = false;
  const close = async () => {
    if (kafkaStarted) await runStackSh(o, 'down').catch((err: Error) => o.log(err.message));
    kafkaStarted = false;
    await stopRedis('SIGTERM');
  };
  try {
    await startRedis();
    linkKafkaLib(o.root, o.stateDir);
    kafkaStarted = true;
    await runStackSh(o, 'up');
  } catch (err) {
    await close();
    throw err;
  }
  return {
    kafkaBrokers: `127.0.0.1:${o.kafkaPort}`,
    redisUrl: `redis://127.0.0.1:${o.redisPort}`,
    async restartKafka() {
      await runStackSh(o, 'down');
      await runStackSh(o, 'up');
    },
    async restartRedis() {
      await stopRedis('SIGKILL');
      await startRedis();
    },
    close,
  };
}
