import path from 'node:path';
import { ConfigError, loadConfig } from '@pulse/config';
import { createLogger } from '@pulse/core';
import { demoConfigSpec } from './demo-config';
import { consoleOutput } from './output';
import { runStoreDemo } from './store/store-demo';

const USAGE = `usage: pulse demo [--once] [--customers N] [--seed N] [--live-seconds N]

Starts every built service on the stack named by the environment (bash infra/stack.sh env),
plays a seeded store's customers through ingest, and shows the emails that follow.
  --once          bounded run: exit 0 when the main campaigns' emails arrived, else 1
  --customers N   how many customers (default 40)
  --seed N        the store's random seed (default 42)
  --live-seconds  how long customers browse and shop (default 20)`;

function flag(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

/** `pulse demo`: the store demo; exit code 0 when it ran (and, with --once, its checks passed). */
export async function storeDemoMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = consoleOutput();
  const logger = createLogger({ name: 'pulse-demo', level: 'warn', destination: process.stderr });
  try {
    const config = loadConfig(demoConfigSpec, process.env);
    const once = argv.includes('--once');
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    const result = await runStoreDemo({
      root: path.resolve(__dirname, '..', '..', '..'),
      stack: {
        kafkaBrokers: config.kafkaBrokers.join(','),
        schemaRegistryUrl: config.schemaRegistryUrl,
        redisUrl: config.redisUrl,
        smtpUrl: config.smtpUrl,
        maildevUrl: config.maildevUrl,
      },
      logger,
      out,
      log: (line) => process.stdout.write(`${line}\n`),
      customers: flag(argv, '--customers', 40),
      seed: flag(argv, '--seed', 42),
      liveMs: flag(argv, '--live-seconds', 20) * 1000,
      cartDelayMs: config.demoCartDelay,
      portBase: config.demoPortBase,
      once,
      untilStopped: stopped,
      timeoutMs: config.demoTimeout,
    });
    out.step(result.ok ? 'demo finished: every check passed' : 'demo finished with problems');
    for (const p of result.problems) out.line(p);
    return result.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pulse demo: ${err.message}\n`);
      return 78;
    }
    process.stderr.write(
      `pulse demo failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
}
