import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signEmailToken, verifyEmailToken } from './email-token';

const secret = 'test-secret';
const click = { s: 'em-1', p: 'cust-1', c: 'welcome', v: 'B', u: 'https://shop.test/p?x=1&y=2' };

describe('email tracking tokens', () => {
  it('round-trips open and click claims, and is an HMAC-SHA256 over the encoded claims', () => {
    const open = { s: 'em-1', p: 'cust-1', c: 'welcome' };
    expect(verifyEmailToken(secret, signEmailToken(secret, open))).toEqual(open);
    const token = signEmailToken(secret, click);
    expect(verifyEmailToken(secret, token)).toEqual(click);
    const [body, signature] = token.split('.');
    expect(signature).toBe(createHmac('sha256', secret).update(body!).digest('base64url'));
  });

  it('is URL-path safe (base64url and one dot), so it needs no escaping in an href', () => {
    expect(signEmailToken(secret, click)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses another secret, edited claims and a non-http link', () => {
    const token = signEmailToken(secret, click);
    expect(verifyEmailToken('other', token)).toBeUndefined();
    const [, signature] = token.split('.');
    const edited = Buffer.from(JSON.stringify({ ...click, p: 'cust-2' })).toString('base64url');
    expect(verifyEmailToken(secret, `${edited}.${signature}`)).toBeUndefined();
    expect(
      verifyEmailToken(secret, signEmailToken(secret, { ...click, u: 'javascript:alert(1)' })),
    ).toBeUndefined();
  });
});
