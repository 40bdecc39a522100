import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { consentReason, parseConsentPolicy, STRICT_CONSENT } from './consent';
import { tryLoadRendererConfig } from './load-config';
import { suppressionReason } from './suppression';

const SHIPPED = path.resolve(__dirname, '../../../config/consent.yaml');
const policy = () => {
  const parsed = parseConsentPolicy('consent.yaml', readFileSync(SHIPPED, 'utf8'));
  expect(parsed.problems).toEqual([]);
  return parsed.policy!;
};
const none = { unsubscribedAt: null };

describe('consent regimes', () => {
  it('ships EU countries and Canada as opt-in, the US as opt-out, unknown as opt-in', () => {
    const p = policy();
    expect(p.countries.get('DE')).toBe('opt-in');
    expect(p.countries.get('CA')).toBe('opt-in');
    expect(p.countries.get('US')).toBe('opt-out');
    expect(p.fallback).toBe('opt-in');
  });

  it('needs recorded consent in opt-in countries, only no withdrawal in opt-out ones', () => {
    const p = policy();
    expect(consentReason(p, { country: 'DE' })).toMatch(/no recorded consent.*opt-in.*DE/);
    expect(consentReason(p, { country: 'de', consent_email_marketing: true })).toBeNull();
    expect(consentReason(p, { country: 'US' })).toBeNull();
    expect(consentReason(p, { country: 'US', consent_email_marketing: false })).toBe(
      'no consent to marketing email',
    );
    expect(consentReason(p, {})).toMatch(/country unknown/);
    expect(consentReason(STRICT_CONSENT, { country: 'US' })).toMatch(/opt-in/);
  });

  it('reads consent as the profile builder stores it and in the nested spelling', () => {
    const p = policy();
    expect(consentReason(p, { country: 'FR', consent: { email_marketing: true } })).toBeNull();
    expect(consentReason(p, { country: 'FR', 'consent.email_marketing': true })).toBeNull();
  });

  it('leaves transactional mail alone and stops marketing to a German without consent', () => {
    const p = policy();
    const german = { traits: { country: 'DE' } };
    expect(suppressionReason('transactional', german, none, { consent: p })).toBeNull();
    expect(suppressionReason('marketing', german, none, { consent: p })).toMatch(/opt-in/);
  });

  it('reports every bad entry with file:line:col', () => {
    const text = [
      'default: opt-maybe',
      'opt_in: [DE, germany]',
      'opt_out: [US, DE]',
      'extra: 1',
    ].join('\n');
    const { policy: p, problems } = parseConsentPolicy('consent.yaml', text);
    expect(p).toBeNull();
    expect(problems[0]).toMatchObject({ file: 'consent.yaml', line: 4, column: 1 });
    expect(problems[0]?.message).toMatch(/extra/);
    const second = parseConsentPolicy('consent.yaml', text.split('\n').slice(1, 3).join('\n'));
    expect(second.problems).toEqual([
      expect.objectContaining({ line: 1, column: 14, message: expect.stringMatching(/germany/) }),
      expect.objectContaining({ line: 2, column: 15, message: 'DE is in both opt_in and opt_out' }),
    ]);
    expect(parseConsentPolicy('c.yaml', 'default: opt-maybe').problems[0]).toMatchObject({
      line: 1,
      message: 'default must be opt-in or opt-out',
    });
  });

  it('fails the config load with consent.yaml:line, so hot reload keeps the previous set', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pulse-consent-'));
    try {
      cpSync(path.dirname(SHIPPED), dir, { recursive: true });
      writeFileSync(path.join(dir, 'consent.yaml'), 'default: opt-in\nopt_out: [USA]\n');
      const result = tryLoadRendererConfig(dir);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.problems).toEqual([
        expect.objectContaining({ file: 'consent.yaml', line: 2, column: 11 }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
