import { describe, expect, it } from '@jest/globals';
import { customerIds } from './email-event';

describe('customerIds', () => {
  it('maps the canonical ids in tracking tokens and ESP tags back to the event ids they came from', () => {
    expect(customerIds('u:42')).toEqual({ userId: '42', anonymousId: null, email: null });
    expect(customerIds('a:anon-7')).toEqual({ userId: null, anonymousId: 'anon-7', email: null });
    expect(customerIds('e:ann@example.com')).toEqual({
      userId: null,
      anonymousId: null,
      email: 'ann@example.com',
    });
  });

  it('takes anything else as a userId, and nothing as nothing', () => {
    expect(customerIds('cust-1')).toEqual({ userId: 'cust-1', anonymousId: null, email: null });
    expect(customerIds('u:')).toEqual({ userId: 'u:', anonymousId: null, email: null });
    expect(customerIds(null)).toEqual({ userId: null, anonymousId: null, email: null });
  });
});
