import { describe, expect, it } from '@jest/globals';
import { canonicalEmail, erasedIdentity, orderIdentities } from './customer-identities';
import { identityHash } from './order-keys';

describe('order identities', () => {
  it('names a customer order by its userId and its email as profile-builder stores it', () => {
    expect(orderIdentities({ userId: '42', email: ' Jon@Example.COM ' })).toEqual([
      'u:42',
      'e:jon@example.com',
    ]);
  });

  it('names a guest order by its email both as anonymousId (as sent) and as email', () => {
    expect(orderIdentities({ email: 'Guest@Example.com' })).toEqual([
      'a:Guest@Example.com',
      'e:guest@example.com',
    ]);
    expect(orderIdentities({ anonymousId: 'anon-1', email: 'g@example.com' })).toEqual([
      'a:anon-1',
      'e:g@example.com',
    ]);
    expect(orderIdentities({})).toEqual([]);
  });

  it('normalizes Gmail addresses as profile-builder does (dots, +tags, googlemail)', () => {
    expect(canonicalEmail('Jane.Doe+shop@GoogleMail.com')).toBe('janedoe@gmail.com');
    expect(canonicalEmail('jane.doe+x@example.com')).toBe('jane.doe+x@example.com');
  });
});

describe('erasedIdentity', () => {
  it('reads a tombstone’s canonical id, normalizing emails; a plain id is a userId', () => {
    expect(erasedIdentity('u:42')).toBe('u:42');
    expect(erasedIdentity('a:anon-1')).toBe('a:anon-1');
    expect(erasedIdentity('e:Jane.Doe@Gmail.com')).toBe('e:janedoe@gmail.com');
    expect(erasedIdentity('42')).toBe('u:42');
    expect(erasedIdentity('')).toBeUndefined();
  });

  it('finds what an order indexed: the same identity, the same hash', () => {
    const indexed = orderIdentities({ email: 'Jane.Doe@gmail.com' }).map(identityHash);
    expect(indexed).toContain(identityHash(erasedIdentity('e:janedoe@gmail.com')!));
  });
});
