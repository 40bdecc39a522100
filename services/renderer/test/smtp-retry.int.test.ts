import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock, silentLogger } from '@pulse/core';
import { closeRedis, createRedis } from '@pulse/redis';
import { getStack, isolatedRedis, randomName } from '@pulse/testkit';
import { SMTPServer } from 'smtp-server';
import { createSmtpMailer } from '../src/mailer';
import { createDeliveringMailer } from '../src/smtp-delivery';
import { createTokenBucket } from '../src/token-bucket';
import { enteredEngaged, profileFor, startProfileServer, testRenderer } from './harness';

const stack = getStack();
const isolated = isolatedRedis(stack);
const redis = createRedis({ url: stack.redisUrl, logger: silentLogger() });
const run = randomName('rs');
const NOW = Date.UTC(2025, 2, 14, 15, 0);
const closers: (() => Promise<void> | void)[] = [];
let profileUrl = '';

/**
 * A real SMTP server (the smtp-server library) that answers DATA per recipient from a script:
 * e.g. `451` then `250`. Counts the DATA attempts each recipient saw.
 */
async function refusingServer(script: Record<string, number[]>) {
  const attempts: Record<string, number> = {};
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        const rcpt = session.envelope.rcptTo[0]?.address ?? '';
        const n = (attempts[rcpt] = (attempts[rcpt] ?? 0) + 1);
        const codes = script[rcpt.split('@')[0]!.replace(`${run}-`, '')] ?? [250];
        const code = codes[Math.min(n - 1, codes.length - 1)]!;
        if (code === 250) return callback();
        callback(Object.assign(new Error(`${code} scripted refusal`), { responseCode: code }));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, attempts };
}

const customers = ['flaky', 'rejected', 'down', 'crashy'];
const addr = (who: string) => `${run}-${who}@example.com`;

beforeAll(async () => {
  const profiles = await startProfileServer(
    Object.fromEntries(customers.map((c) => [c, profileFor(c, addr(c))])),
  );
  closers.push(profiles.close);
  profileUrl = profiles.url;
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await closeRedis(redis);
  await isolated.cleanup();
});

describe('SMTP failures retry with backoff against a real SMTP server', () => {
  it('451 then 250 is sent; 550 fails at once; 451 on every attempt fails after the attempts', async () => {
    const smtp = await refusingServer({ flaky: [451, 250], rejected: [550], down: [451] });
    const waits: number[] = [];
    const mailer = createDeliveringMailer({
      mailer: createSmtpMailer({ url: smtp.url, maxConnections: 1 }),
      limiter: createTokenBucket({
        ratePerSec: 1000,
        now: () => performance.now(),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      }),
      retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      sleep: (ms) => {
        waits.push(ms);
        return new Promise((r) => setTimeout(r, ms));
      },
      logger: silentLogger(),
    });
    closers.push(() => mailer.close());
    const renderer = testRenderer({
      redis,
      prefix: isolated.prefix,
      profileUrl,
      mailer,
      clock: new ManualClock(NOW),
    });
    const outcome = async (who: string) =>
      (await renderer.handle(enteredEngaged(who, `${run}-${who}`, NOW)))[0];

    const flaky = await outcome('flaky');
    expect(flaky).toMatchObject({ outcome: 'sent', customerId: 'flaky' });
    expect(smtp.attempts[addr('flaky')]).toBe(2);

    const rejected = await outcome('rejected');
    expect(rejected).toMatchObject({ outcome: 'failed', customerId: 'rejected' });
    expect(rejected?.reason).toMatch(/^SMTP rejected: .*550 scripted refusal/);
    expect(rejected?.smtpResponse).toMatch(/^550/);
    expect(smtp.attempts[addr('rejected')]).toBe(1);

    const down = await outcome('down');
    expect(down).toMatchObject({ outcome: 'failed', customerId: 'down' });
    expect(down?.reason).toMatch(/^SMTP temporary failure: .*451 .*\(after 3 attempts\)$/);
    expect(down?.smtpResponse).toMatch(/^451/);
    expect(smtp.attempts[addr('down')]).toBe(3);
    // flaky: one wait; down: two, the second about twice the first (jittered in the upper half).
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(10);
    expect(waits[2]).toBeGreaterThanOrEqual(20);

    // A failed email is recorded: the trigger redelivered returns it and sends nothing more.
    expect(await outcome('rejected')).toEqual(rejected);
    expect(smtp.attempts[addr('rejected')]).toBe(1);
  });

  it('a renderer that dies while waiting to retry leaves an email the next one sends, not an unknown one', async () => {
    const smtp = await refusingServer({ crashy: [451, 250] });
    const limiter = createTokenBucket({
      ratePerSec: 1000,
      now: () => performance.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const retry = { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 };
    let waiting: () => void = () => undefined;
    const inTheWait = new Promise<void>((resolve) => (waiting = resolve));
    // The first renderer's retry wait never ends: it stands for a process killed during it.
    const dying = createDeliveringMailer({
      mailer: createSmtpMailer({ url: smtp.url, maxConnections: 1 }),
      limiter,
      retry,
      sleep: () => {
        waiting();
        return new Promise<void>(() => undefined);
      },
      logger: silentLogger(),
    });
    const healthy = createDeliveringMailer({
      mailer: createSmtpMailer({ url: smtp.url, maxConnections: 1 }),
      limiter,
      retry,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      logger: silentLogger(),
    });
    closers.push(
      () => dying.close(),
      () => healthy.close(),
    );
    const trigger = enteredEngaged('crashy', `${run}-crashy`, NOW);
    const first = testRenderer({
      redis,
      prefix: isolated.prefix,
      profileUrl,
      mailer: dying,
      clock: new ManualClock(NOW),
      owner: 'first',
    });
    void first.handle(trigger);
    await inTheWait;
    expect(smtp.attempts[addr('crashy')]).toBe(1);
    // Redelivered to another renderer once the paused claim's lease ran out.
    const second = testRenderer({
      redis,
      prefix: isolated.prefix,
      profileUrl,
      mailer: healthy,
      clock: new ManualClock(NOW + 120_000),
      owner: 'second',
    });
    const [outcome] = await second.handle(trigger);
    expect(outcome).toMatchObject({ outcome: 'sent', customerId: 'crashy' });
    expect(smtp.attempts[addr('crashy')]).toBe(2);
  });
});
