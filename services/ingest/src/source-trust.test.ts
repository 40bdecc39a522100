import { describe, expect, it } from '@jest/globals';
import { checkAllowed } from './source-trust';
import { ANY, BUILT_IN_DEFAULTS } from './source-policy';
import type { SegmentMessage } from './segment-schema';
import type { Source } from './sources';

const browser: Source = { id: 'web', trust: 'browser' };
const server: Source = { id: 'backend', trust: 'server' };
const narrow: Source = {
  id: 'web',
  trust: 'browser',
  policy: {
    ...BUILT_IN_DEFAULTS.browser,
    events: { any: false, exact: new Set(['Product Viewed']), prefixes: ['Cart '] },
    traits: { any: false, exact: new Set(['first_name']), prefixes: [] },
  },
};
// Messages as the schema would produce them; only the fields the check reads matter.
const msg = (m: Record<string, unknown>) => m as unknown as SegmentMessage;

describe('checkAllowed', () => {
  it('keeps the hard rules whatever the policy: no orders, email events or email traits from browsers', () => {
    const open: Source = { ...browser, policy: { ...BUILT_IN_DEFAULTS.browser, events: ANY } };
    expect(checkAllowed(msg({ type: 'track', event: 'Order Refunded' }), open)).toMatchObject({
      code: 'type_not_allowed',
      field: 'event',
    });
    expect(checkAllowed(msg({ type: 'track', event: 'Email Unsubscribed' }), open)?.code).toBe(
      'type_not_allowed',
    );
    expect(checkAllowed(msg({ type: 'identify', traits: { email: 'a@b.c' } }), open)).toMatchObject(
      { code: 'field_not_allowed', field: 'traits.email' },
    );
    expect(
      checkAllowed(
        msg({ type: 'track', event: 'x', context: { traits: { email: 'a@b.c' } } }),
        open,
      ),
    ).toMatchObject({ field: 'context.traits.email' });
  });

  it('lets a server source send them, but nobody the internal Cart Abandoned', () => {
    expect(checkAllowed(msg({ type: 'track', event: 'Order Completed' }), server)).toBeUndefined();
    expect(
      checkAllowed(msg({ type: 'identify', traits: { email: 'a@b.c' } }), server),
    ).toBeUndefined();
    expect(checkAllowed(msg({ type: 'track', event: 'Cart Abandoned' }), server)?.field).toBe(
      'event',
    );
  });

  it('applies the source’s allow-lists of events and traits', () => {
    expect(checkAllowed(msg({ type: 'track', event: 'Product Viewed' }), narrow)).toBeUndefined();
    expect(checkAllowed(msg({ type: 'track', event: 'Cart Viewed' }), narrow)).toBeUndefined();
    expect(checkAllowed(msg({ type: 'track', event: 'Coupon Entered' }), narrow)?.field).toBe(
      'event',
    );
    expect(
      checkAllowed(msg({ type: 'identify', traits: { first_name: 'A', phone: '1' } }), narrow),
    ).toMatchObject({ code: 'field_not_allowed', field: 'traits.phone' });
    expect(
      checkAllowed(msg({ type: 'identify', traits: { email: null } }), narrow),
    ).toBeUndefined();
  });
});
