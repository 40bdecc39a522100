import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { classifySmtpError } from './mailer';
import type { MailFailure, MailResult, Mailer, OutgoingMail } from './mailer';
import { backoffMs, createDeliveringMailer } from './smtp-delivery';

const mail: OutgoingMail = {
  from: 'a@x',
  to: 'b@x',
  subject: 's',
  html: '<p>h</p>',
  text: 'h',
  messageId: '<m@x>',
  headers: {},
};
const fail = (failure: MailFailure): MailResult => ({ ok: false, failure });
const transient: MailFailure = { kind: 'transient', message: '451 try later', response: '451' };

/** Answers each attempt from a script; the real SMTP paths are in test/smtp-retry.int.test.ts. */
function scripted(...answers: MailResult[]) {
  let sent = 0;
  const mailer: Mailer = {
    send: () => Promise.resolve(answers[Math.min(sent++, answers.length - 1)]!),
    close: () => undefined,
  };
  return { mailer, attempts: () => sent };
}

function delivering(mailer: Mailer, attempts = 4) {
  const waits: number[] = [];
  let slots = 0;
  const delivering = createDeliveringMailer({
    mailer,
    limiter: {
      take: () => {
        slots++;
        return Promise.resolve();
      },
    },
    retry: { attempts, baseDelayMs: 100, maxDelayMs: 350 },
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    random: () => 1,
    logger: silentLogger(),
  });
  return { delivering, waits, slots: () => slots };
}

describe('SMTP retry with backoff', () => {
  it('retries transient failures with doubling, capped waits, each attempt rate limited', async () => {
    const s = scripted(fail(transient), fail(transient), fail(transient), {
      ok: true,
      response: '250',
    });
    const d = delivering(s.mailer);
    expect(await d.delivering.send(mail)).toEqual({ ok: true, response: '250' });
    expect(d.waits).toEqual([100, 200, 350]);
    expect(d.slots()).toBe(4);
  });

  it('tells its caller before and after each wait, so the send record is not left in sending', async () => {
    const s = scripted(fail(transient), { ok: true, response: '250' });
    const d = delivering(s.mailer);
    const steps: string[] = [];
    const result = await d.delivering.send(mail, {
      pause: (ms) => {
        steps.push(`pause ${ms}`);
        return Promise.resolve();
      },
      resume: () => {
        steps.push(`resume after ${d.waits.length} wait(s)`);
        return Promise.resolve();
      },
    });
    expect(result).toEqual({ ok: true, response: '250' });
    expect(steps).toEqual(['pause 100', 'resume after 1 wait(s)']);
  });

  it('stops when the caller lost the email during the wait', async () => {
    const s = scripted(fail(transient), { ok: true, response: '250' });
    const d = delivering(s.mailer);
    await expect(
      d.delivering.send(mail, {
        pause: () => Promise.resolve(),
        resume: () => Promise.reject(new Error('lost')),
      }),
    ).rejects.toThrow('lost');
    expect(s.attempts()).toBe(1);
  });

  it('gives up after the attempts, naming how many were made', async () => {
    const s = scripted(fail(transient));
    const d = delivering(s.mailer, 3);
    expect(await d.delivering.send(mail)).toEqual(
      fail({ ...transient, message: '451 try later (after 3 attempts)' }),
    );
    expect(s.attempts()).toBe(3);
  });

  it('never retries a permanent rejection or an ambiguous failure', async () => {
    for (const failure of [
      { kind: 'rejected', message: '550 no such user', response: '550 no such user' },
      { kind: 'ambiguous', message: 'connection lost after DATA' },
    ] satisfies MailFailure[]) {
      const s = scripted(fail(failure), { ok: true, response: '250' });
      expect(await delivering(s.mailer).delivering.send(mail)).toEqual(fail(failure));
      expect(s.attempts()).toBe(1);
    }
  });

  it('jitters the upper half of each wait', () => {
    const policy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };
    expect(backoffMs(policy, 3, 0)).toBe(2000);
    expect(backoffMs(policy, 3, 0.5)).toBe(3000);
  });
});

describe('classifySmtpError', () => {
  it('5xx is permanent, 4xx at any step and connection errors are transient, a lost DATA answer ambiguous', () => {
    expect(
      classifySmtpError({ message: 'm', responseCode: 550, command: 'RCPT TO', response: '550 x' })
        .kind,
    ).toBe('rejected');
    expect(
      classifySmtpError({ message: 'm', responseCode: 451, command: 'DATA', response: '451 x' }),
    ).toEqual({
      kind: 'transient',
      message: 'm',
      response: '451 x',
    });
    expect(classifySmtpError({ message: 'm', code: 'ECONNECTION', command: 'CONN' }).kind).toBe(
      'transient',
    );
    expect(classifySmtpError({ message: 'm', code: 'ETIMEDOUT', command: 'DATA' }).kind).toBe(
      'ambiguous',
    );
  });
});
