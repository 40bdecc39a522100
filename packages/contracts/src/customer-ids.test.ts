import { describe, expect, it } from '@jest/globals';
import { normalizeEmail } from './customer-ids';

describe('normalizeEmail', () => {
  it('trims and lower-cases every address', () => {
    expect(normalizeEmail('  Ann.Lee+news@Example.COM ')).toBe('ann.lee+news@example.com');
  });

  it('drops dots and +tags of Gmail local parts, googlemail.com included', () => {
    expect(normalizeEmail('Ann.Lee+news@gmail.com')).toBe('annlee@gmail.com');
    expect(normalizeEmail('ann.lee@googlemail.com')).toBe('annlee@gmail.com');
  });

  it('leaves a string without a local part as it is, lower-cased', () => {
    expect(normalizeEmail('@Example.com')).toBe('@example.com');
    expect(normalizeEmail('NoAt')).toBe('noat');
  });
});
