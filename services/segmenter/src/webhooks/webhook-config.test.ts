import { describe, expect, it } from '@jest/globals';
import { destinationsFor, parseWebhooks } from './webhook-config';
import { signatureHeader, verifySignature } from './signature';

describe('webhooks file', () => {
  it('parses destinations, secrets from the environment, segment and change filters', () => {
    const text = [
      'destinations:',
      '  - { id: crm, url: "https://crm.example/hook", secret_env: CRM_SECRET, segments: [vip] }',
      '  - { id: ads, url: "https://ads.example/a", secret: s2, segments: "*", changes: [entered] }',
    ].join('\n');
    const { destinations, problems } = parseWebhooks('w.yaml', text, { CRM_SECRET: 's1' });
    expect(problems).toEqual([]);
    expect(destinations.map((d) => [d.id, d.secret])).toEqual([
      ['crm', 's1'],
      ['ads', 's2'],
    ]);
    const to = (segmentId: string, change: 'entered' | 'exited') =>
      destinationsFor(destinations, { segmentId, change }).map((d) => d.id);
    expect(to('vip', 'entered')).toEqual(['crm', 'ads']);
    expect(to('vip', 'exited')).toEqual(['crm']);
    expect(to('other', 'exited')).toEqual([]);
  });

  it('lists every problem with its line', () => {
    const text = [
      'destinations:',
      '  - { id: Bad_Id, url: "ftp://x", segments: [] }',
      '  - { id: ok, url: "https://x.example", secret_env: MISSING, segments: "*", colour: red }',
    ].join('\n');
    const { destinations, problems } = parseWebhooks('w.yaml', text, {});
    expect(destinations).toEqual([]);
    expect(problems).toEqual([
      "w.yaml:2: id 'Bad_Id' must be lowercase letters, digits and dashes",
      "w.yaml:2: url 'ftp://x' must be an http(s) URL",
      'w.yaml:2: needs secret or secret_env',
      "w.yaml:2: segments must be '*' or a list of segment ids",
      "w.yaml:3: unknown key 'colour'",
      'w.yaml:3: secret_env MISSING is not set',
    ]);
  });
});

describe('signatures', () => {
  it('verify for the same secret, body and a recent time only', () => {
    const now = Date.UTC(2026, 0, 1);
    const header = signatureHeader('k', '{"a":1}', now);
    expect(verifySignature({ secret: 'k', body: '{"a":1}', header, nowMs: now + 1000 })).toBe(true);
    expect(verifySignature({ secret: 'k', body: '{"a":2}', header, nowMs: now })).toBe(false);
    expect(verifySignature({ secret: 'j', body: '{"a":1}', header, nowMs: now })).toBe(false);
    expect(verifySignature({ secret: 'k', body: '{"a":1}', header, nowMs: now + 301_000 })).toBe(
      false,
    );
    expect(verifySignature({ secret: 'k', body: '{"a":1}', header: 'v1=zz', nowMs: now })).toBe(
      false,
    );
  });
});
