import path from 'node:path';
import { removeState, runChaos } from './chaos';
import { formatResult, passed } from './report';

const cleanups = new Set<() => Promise<void>>();

const USAGE = `usage: pnpm test:chaos [--seconds N] [--customers N] [--seed N]

Runs the fault test on a private Kafka broker and Redis (the shared stack is never touched):
all five services under a generated store load; kill -9 of each service in turn, a broker
restart, a Redis (AOF) restart, in rounds while the load lasts; then the oracle. Exit 0 when nothing was lost or duplicated.
  --seconds N     how long the load lasts (default 300; the faults happen inside it)
  --customers N   store customers (default: 2 per second of load)
  --seed N        the store's random seed (default 7)
Environment: SCHEMA_REGISTRY_URL, SMTP_URL, MAILDEV_URL (bash infra/stack.sh env);
CHAOS_PORT_BASE (18180), CHAOS_KAFKA_PORT (19092, controller +1), CHAOS_REDIS_PORT (16390),
CHAOS_CART_DELAY_SECONDS (10), CHAOS_KAFKA_LIB (a fetched Kafka lib/ to reuse).`;

function flag(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: export what 'bash infra/stack.sh env' prints`);
  return value;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seconds = flag(argv, '--seconds', 300);
  const log = (line: string) => process.stdout.write(`[chaos] ${line}\n`);
  const result = await runChaos({
    root: path.resolve(__dirname, '..', '..'),
    shared: {
      schemaRegistryUrl: need('SCHEMA_REGISTRY_URL'),
      smtpUrl: need('SMTP_URL'),
      maildevUrl: need('MAILDEV_URL'),
    },
    customers: flag(argv, '--customers', seconds * 2),
    seed: flag(argv, '--seed', 7),
    loadMs: seconds * 1000,
    cartDelayMs: Number(process.env.CHAOS_CART_DELAY_SECONDS ?? 10) * 1000,
    settleMs: 180_000,
    portBase: Number(process.env.CHAOS_PORT_BASE ?? 18180),
    kafkaPort: Number(process.env.CHAOS_KAFKA_PORT ?? 19092),
    redisPort: Number(process.env.CHAOS_REDIS_PORT ?? 16390),
    repeatFaults: true,
    log,
    onCleanup: (fn) => cleanups.add(fn),
  });
  for (const line of formatResult(result)) log(line);
  const ok = passed(result);
  if (ok) removeState(result.stateDir);
  else log(`logs kept in ${result.stateDir}`);
  log(ok ? 'PASS: nothing lost, nothing twice' : 'FAIL');
  return ok ? 0 : 1;
}

// Ctrl-C: stop the services, the broker and Redis before leaving (the broker is detached).
process.once('SIGINT', () => {
  process.stdout.write('[chaos] interrupted: cleaning up\n');
  void Promise.all([...cleanups].map((fn) => fn())).finally(() => process.exit(130));
});
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos test failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
