import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { getStack, listEmails } from '@pulse/testkit';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Runs the built `pulse` command with the stack's environment; resolves with its output. */
function pulse(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'packages/cli/dist/bin.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('pulse demo --once (every built service on the real stack)', () => {
  it('turns a generated store into abandoned-cart emails in the SMTP capture, then stops', async () => {
    const stack = getStack();
    const { code, out } = await pulse(
      ['demo', '--once', '--customers', '24', '--live-seconds', '8'],
      {
        KAFKA_BROKERS: stack.kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
        REDIS_URL: stack.redisUrl,
        SMTP_URL: stack.smtpUrl,
        MAILDEV_URL: stack.maildevUrl,
        PULSE_DEMO_PORT_BASE: '28080',
        PULSE_DEMO_CART_DELAY: '8s',
        LOG_LEVEL: 'warn',
      },
    );
    expect(out).toContain('every check passed');
    expect(code).toBe(0);
    const runId = /== run (\w+):/.exec(out)?.[1];
    expect(runId).toBeDefined();
    const acknowledged = /events acknowledged by ingest: (\d+) of (\d+)/.exec(out);
    expect(acknowledged?.[1]).toBe(acknowledged?.[2]);
    expect(out).toMatch(/profiles: 24 of 24 customers/);
    const emails = (await listEmails(stack)).filter((e) =>
      e.to.some((a) => a.address.includes(`.${runId}.`)),
    );
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.every((e) => e.headers['x-pulse-campaign'] !== undefined)).toBe(true);
    expect(emails.map((e) => e.headers['x-pulse-campaign'])).toContain('cart-abandon-1');
  });
});
