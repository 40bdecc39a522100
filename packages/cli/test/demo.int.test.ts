import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { silentLogger } from '@pulse/core';
import { getStack, listEmails } from '@pulse/testkit';
import { demoConfigSpec, runDemo, type Output } from '../src/index';

describe('pulse demo', () => {
  it('round-trips every event type, dead-letters the poison record and mails a summary', async () => {
    const stack = getStack();
    const lines: string[] = [];
    const out: Output = { step: (t) => lines.push(`== ${t}`), line: (t) => lines.push(t) };
    const config = loadConfig(demoConfigSpec, {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      SMTP_URL: stack.smtpUrl,
      MAILDEV_URL: stack.maildevUrl,
    });

    const result = await runDemo({ config, logger: silentLogger(), out });

    expect(result.produced).toBeGreaterThanOrEqual(20);
    expect(result.consumed).toBe(result.produced);
    expect(result.deadLetter.code).toBe('BAD_MAGIC_BYTE');
    expect(result.deadLetter.reason).toMatch(/magic byte/i);
    const emails = await listEmails(stack, { to: 'ops@pulse.local' });
    expect(emails.map((e) => e.subject)).toContain(result.emailSubject);
    expect(lines).toContain('original bytes kept: yes');
  });
});
