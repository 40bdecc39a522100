import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { looksAutomated } from './email-tracking';
import { signEmailToken, verifyEmailToken } from './email-token';

const secret = 'test-secret';
const claims = { s: 'send-1', p: 'cust-1', c: 'welcome', u: 'https://shop.test/sale?x=1' };

describe('email tracking tokens', () => {
  it('round-trips claims signed with the secret', () => {
    expect(verifyEmailToken(secret, signEmailToken(secret, claims))).toEqual(claims);
  });

  it('is an HMAC-SHA256 over the encoded claims', () => {
    const [body, signature] = signEmailToken(secret, claims).split('.');
    expect(signature).toBe(createHmac('sha256', secret).update(body!).digest('base64url'));
  });

  it('refuses other secrets, edited claims and malformed tokens', () => {
    const token = signEmailToken(secret, claims);
    expect(verifyEmailToken('other', token)).toBeUndefined();
    const [, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, u: 'https://evil.test' })).toString(
      'base64url',
    );
    expect(verifyEmailToken(secret, `${forged}.${signature}`)).toBeUndefined();
    expect(verifyEmailToken(secret, 'abc')).toBeUndefined();
    expect(verifyEmailToken(secret, `${token}.x`)).toBeUndefined();
  });

  it('refuses a validly signed token whose link is not http(s)', () => {
    const token = signEmailToken(secret, { ...claims, u: 'javascript:alert(1)' });
    expect(verifyEmailToken(secret, token)).toBeUndefined();
  });

  it('flags machine opens: HEAD, no agent, Apple MPP, image proxies', () => {
    expect(looksAutomated('HEAD', 'Mozilla/5.0 (Macintosh)')).toBe(true);
    expect(looksAutomated('GET', undefined)).toBe(true);
    expect(looksAutomated('GET', 'Mozilla/5.0')).toBe(true);
    expect(looksAutomated('GET', 'Mozilla/5.0 (Windows NT 5.1) GoogleImageProxy')).toBe(true);
    expect(looksAutomated('GET', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605')).toBe(
      false,
    );
  });
});
