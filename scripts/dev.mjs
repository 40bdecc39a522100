#!/usr/bin/env node
// The README's two commands run through here, so that a fresh clone needs only Node 20, Java 17
// and Maven:   npm test   |   npm run demo
// Steps: pinned pnpm (from packageManager, installed under .tools/ if not on PATH) -> install ->
// build -> checks -> native stack up (unless the environment names one) -> tests or the demo.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, '');
const STACK_VARS = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'REDIS_URL', 'SMTP_URL', 'MAILDEV_URL'];

function step(title) {
  console.log(`\n== ${title}`);
}

function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env, ...options });
  if (res.error) throw res.error;
  if (res.status !== 0) {
    console.error(`\n${[cmd, ...args].join(' ')} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status || 1);
  }
  return res;
}

function output(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: process.env });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

/** The pinned pnpm: the one on PATH if it is that version, else a private copy under .tools/. */
function ensurePnpm() {
  if (output('pnpm', ['--version']) === pnpmVersion) return 'pnpm';
  const local = path.join(root, '.tools', 'node_modules', '.bin', 'pnpm');
  if (!existsSync(local) || output(local, ['--version']) !== pnpmVersion) {
    step(`installing pnpm ${pnpmVersion} into .tools/`);
    run('npm', [
      'install',
      '--prefix',
      '.tools',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${pnpmVersion}`,
    ]);
  }
  return local;
}

/** Points this process (and its children) at the stack: given by env, else started natively. */
function ensureStack() {
  const given = STACK_VARS.filter((name) => process.env[name]);
  if (given.length === STACK_VARS.length) {
    step('using the stack named by the environment');
    return;
  }
  step('starting the native stack (Kafka, schema registry, Redis, SMTP capture)');
  run('bash', ['infra/stack.sh', 'up']);
  for (const line of output('bash', ['infra/stack.sh', 'env']).split('\n')) {
    const [name, ...rest] = line.split('=');
    if (!process.env[name]) process.env[name] = rest.join('=');
  }
}

function prepare(pnpm) {
  step('installing dependencies');
  run(pnpm, ['install', '--frozen-lockfile', '--reporter=append-only']);
  step('building (tsc -b)');
  run(pnpm, ['run', 'build']);
}

const command = process.argv[2];
const pnpm = ensurePnpm();
process.env.PATH = `${path.dirname(pnpm === 'pnpm' ? 'pnpm' : pnpm)}${path.delimiter}${process.env.PATH}`;
switch (command) {
  case 'test': {
    prepare(pnpm);
    step('checking generated contracts, lint, types of tests');
    run(pnpm, ['run', 'check:contracts']);
    run(pnpm, ['run', 'lint']);
    run(pnpm, ['run', 'typecheck:tests']);
    ensureStack();
    step('running every test (unit + integration against the real stack)');
    run(pnpm, ['exec', 'jest', '--ci', ...process.argv.slice(3)]);
    break;
  }
  case 'demo': {
    prepare(pnpm);
    ensureStack();
    step('running the demo');
    run('node', ['packages/cli/dist/bin.js', 'demo', ...process.argv.slice(3)]);
    break;
  }
  default:
    console.error('usage: node scripts/dev.mjs test|demo [args]');
    process.exit(2);
}
