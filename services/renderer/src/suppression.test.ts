import { describe, expect, it } from '@jest/globals';
import { suppressionReason } from './suppression';

const none = { unsubscribedAt: null };
const clean = { email: { unsubscribed: false, hardBounces: 0, complaints: 0 } };

describe('suppressionReason', () => {
  it('lets clean profiles through', () => {
    expect(suppressionReason('marketing', clean, none)).toBeNull();
    expect(suppressionReason('marketing', {}, none)).toBeNull();
  });

  it('stops marketing mail on unsubscribe (profile or own link), complaint or withdrawn consent', () => {
    const unsub = { email: { ...clean.email, unsubscribed: true } };
    expect(suppressionReason('marketing', unsub, none)).toBe('unsubscribed');
    expect(suppressionReason('marketing', clean, { unsubscribedAt: 1 })).toBe('unsubscribed');
    expect(suppressionReason('marketing', { email: { complaints: 1 } }, none)).toBe(
      'spam complaint',
    );
    expect(
      suppressionReason('marketing', { traits: { consent: { email_marketing: false } } }, none),
    ).toBe('no consent to marketing email');
    expect(
      suppressionReason('marketing', { traits: { 'consent.email_marketing': false } }, none),
    ).toBe('no consent to marketing email');
  });

  it('lets transactional mail obey only hard bounces', () => {
    const everything = {
      traits: { consent: { email_marketing: false } },
      email: { unsubscribed: true, complaints: 2, hardBounces: 0 },
    };
    expect(suppressionReason('transactional', everything, { unsubscribedAt: 1 })).toBeNull();
    expect(suppressionReason('transactional', { email: { hardBounces: 1 } }, none)).toBe(
      'email address hard-bounced',
    );
    expect(suppressionReason('marketing', { email: { hardBounces: 1 } }, none)).toBe(
      'email address hard-bounced',
    );
  });
});
