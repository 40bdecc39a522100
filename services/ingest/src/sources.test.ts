import { describe, expect, it } from '@jest/globals';
import { parseSources, writeKeyFromAuthorization } from './sources';

describe('sources', () => {
  const directory = parseSources(['web:pub-key:browser', 'backend:secret-key:server', 'etl:k2']);

  it('finds the source of a writeKey, with its trust level', () => {
    expect(directory.authenticate('pub-key')).toEqual({ id: 'web', trust: 'browser' });
    expect(directory.authenticate('secret-key')).toEqual({ id: 'backend', trust: 'server' });
    expect(directory.authenticate('k2')).toEqual({ id: 'etl', trust: 'server' });
  });

  it('refuses unknown, empty and missing keys', () => {
    expect(directory.authenticate('secret-key ')).toBeUndefined();
    expect(directory.authenticate('')).toBeUndefined();
    expect(directory.authenticate(undefined)).toBeUndefined();
  });

  it('names the entry that does not parse', () => {
    expect(() => parseSources(['a:b:browser', 'broken'])).toThrow(/entry 2/);
    expect(() => parseSources(['a:b:admin'])).toThrow(/browser\|server/);
  });

  it('reads the writeKey from Basic auth with an empty password', () => {
    const header = `Basic ${Buffer.from('pub-key:').toString('base64')}`;
    expect(writeKeyFromAuthorization(header)).toBe('pub-key');
    expect(writeKeyFromAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBe(
      'nocolon',
    );
    expect(writeKeyFromAuthorization('Bearer abc')).toBeUndefined();
    expect(writeKeyFromAuthorization(undefined)).toBeUndefined();
  });
});
