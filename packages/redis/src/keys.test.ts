import { describe, expect, it } from '@jest/globals';
import { createKeyspace } from './keys';

describe('createKeyspace', () => {
  const ks = createKeyspace('pulse');

  it('puts the hash tag in braces so one customer shares a slot', () => {
    expect(ks.tagged('c:42', 'profile')).toBe('pulse:{c:42}:profile');
    expect(ks.plain('segments', 'vip', 'members')).toBe('pulse:segments:vip:members');
    expect(ks.pattern()).toBe('pulse:*');
  });

  it('keeps braces in ids from breaking the hash tag', () => {
    expect(ks.tagged('a}b{', 'x')).toBe('pulse:{a_b_}:x');
  });

  it('refuses prefixes that would need escaping', () => {
    expect(() => createKeyspace('bad prefix*')).toThrow(/may contain only/);
  });
});
