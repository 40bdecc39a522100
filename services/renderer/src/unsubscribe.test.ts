import { describe, expect, it } from '@jest/globals';
import { signUnsubscribe, unsubscribeHeaders, verifyUnsubscribe } from './unsubscribe';

const claim = { customerId: 'c-1', campaignId: 'promo', emailId: 'em-1' };

describe('unsubscribe tokens', () => {
  it('verify what they sign', () => {
    expect(verifyUnsubscribe('s', signUnsubscribe('s', claim))).toEqual(claim);
  });

  it('reject another secret, a changed payload and junk', () => {
    const token = signUnsubscribe('s', claim);
    expect(verifyUnsubscribe('other', token)).toBeNull();
    const forged = signUnsubscribe('s', { ...claim, customerId: 'c-2' }).split('.')[0];
    expect(verifyUnsubscribe('s', `${forged}.${token.split('.')[1]}`)).toBeNull();
    expect(verifyUnsubscribe('s', '')).toBeNull();
    expect(verifyUnsubscribe('s', 'abc')).toBeNull();
  });
});

describe('unsubscribeHeaders', () => {
  it('follow RFC 8058', () => {
    expect(unsubscribeHeaders('https://u/x', 'unsub@shop')).toEqual({
      'List-Unsubscribe': '<https://u/x>, <mailto:unsub@shop>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribeHeaders('https://u/x', null)['List-Unsubscribe']).toBe('<https://u/x>');
  });
});
