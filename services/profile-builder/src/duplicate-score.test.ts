import { describe, expect, it } from '@jest/globals';
import {
  blockingKeys,
  emailsNear,
  fixDomain,
  scoreDuplicate,
  verdict,
  type DuplicateConfig,
} from './duplicate-score';
import { parseIdentityConfig } from './identity-config';

const config: DuplicateConfig = {
  mergeAt: 0.9,
  reviewAt: 0.7,
  minNameSimilarity: 0.8,
  weights: { name: 0.5, phone: 0.3, postcode: 0.15, email: 0.35 },
};
const jon = {
  firstName: 'Jon',
  lastName: 'Smith',
  phone: '+1 (415) 555-0100',
  postcode: 'SW1A 1AA',
};

describe('duplicate scoring', () => {
  it('scores similar names with the same phone and postcode for a merge', () => {
    const s = scoreDuplicate(
      jon,
      { firstName: 'John', lastName: 'Smith', phone: '415-555-0100', postcode: 'sw1a1aa' },
      config,
    );
    expect(s.reasons).toEqual(['name:0.97', 'phone', 'postcode']);
    expect(s.score).toBeCloseTo(0.5 * 0.9733 + 0.3 + 0.15, 3);
    expect(verdict(s.score, config)).toBe('merge');
  });

  it('lists the same name with only a shared phone for review, and ignores different names', () => {
    const phoneOnly = scoreDuplicate(
      jon,
      { firstName: 'Jon', lastName: 'Smith', phone: '4155550100' },
      config,
    );
    expect(phoneOnly).toEqual({ score: 0.8, reasons: ['name:1.00', 'phone'] });
    expect(verdict(phoneOnly.score, config)).toBe('review');
    // a family member sharing the phone and the home is not a duplicate
    expect(scoreDuplicate(jon, { ...jon, firstName: 'Mary' }, config).score).toBe(0);
    expect(scoreDuplicate(jon, { phone: jon.phone }, config).score).toBe(0);
  });

  it('recognises typo’d emails: one edit in the local part or a well-known domain misspelt', () => {
    expect(fixDomain('gmial.com')).toBe('gmail.com');
    expect(fixDomain('hotmai.com')).toBe('hotmail.com');
    expect(fixDomain('example.com')).toBe('example.com');
    expect(emailsNear('jon.smith@gmial.com', 'jonsmith@gmail.com')).toBe(true); // misspelt domain
    expect(emailsNear('Jon@Example.com', 'jon@example.com')).toBe(false); // one identity already
    expect(emailsNear('jsmith@example.com', 'jsmiht@example.com')).toBe(false); // 2 edits
    expect(emailsNear('jsmith@example.com', 'jsmithh@example.com')).toBe(true);
    expect(emailsNear('jsmith@yahoo.com', 'jsmyth@yaho.com')).toBe(true);
    const s = scoreDuplicate(
      { firstName: 'Ana', lastName: 'Lima', email: 'ana.lima@outlook.com' },
      { firstName: 'Ana', lastName: 'Lima', email: 'ana.lim@outlok.com' },
      config,
    );
    expect(s.reasons).toContain('email-typo');
  });

  it('puts near emails, phones and postcodes under a shared blocking key', () => {
    const a = blockingKeys({ lastName: 'Smith', postcode: 'sw1a 1aa', email: 'jsmith@gmial.com' });
    const b = blockingKeys({ lastName: 'Smithe', postcode: 'SW1A1AA', email: 'jsmth@gmail.com' });
    expect(a.filter((k) => b.includes(k))).toEqual(['pc:SW1A1AA:smi', 'em:jsmth@gmail.com']);
    expect(blockingKeys({ phone: '+44 20 7946 0958' })).toEqual(['ph:2079460958']);
    expect(blockingKeys({ phone: '123' })).toEqual([]);
  });
});

describe('identity config', () => {
  it('parses the settings and reports bad ones with their lines', () => {
    const ok = parseIdentityConfig(
      'duplicates:\n  mergeAt: 0.9\n  reviewAt: 0.7\n  minNameSimilarity: 0.8\n  weights: { name: 0.5, phone: 0.3, postcode: 0.15, email: 0.35 }\n',
    );
    expect(ok.config).toEqual(config);
    const bad = parseIdentityConfig(
      'duplicates:\n  mergeAt: 0.6\n  reviewAt: 0.7\n  minNameSimilarity: 2\n  colour: red\n  weights: { name: 0.5, phone: 0.3, postcode: 0.15 }\n',
    );
    expect(bad.config).toBeUndefined();
    expect(bad.problems.map((p) => [p.line, p.message])).toEqual([
      [4, 'duplicates.minNameSimilarity must be a number from 0 to 1'],
      [5, "unknown key 'colour' in duplicates (allowed: mergeAt, reviewAt, minNameSimilarity)"],
      [6, "duplicates.weights needs 'email'"],
      [3, 'reviewAt must not exceed mergeAt'],
    ]);
  });
});
