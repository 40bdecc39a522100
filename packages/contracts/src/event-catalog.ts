import type { EventKind, PulseEvent } from './generated';
import { unwrapPayload } from './payload';
import type { PayloadName } from './payload';
import type { ContractProblem } from './validate';

/**
 * Track event names Pulse understands: the Segment e-commerce v2 spec, email engagement, and
 * Cart Abandoned. Any other track name is a custom event with a `CustomPayload`.
 */
export const EVENT_TYPES = {
  productViewed: 'Product Viewed',
  productClicked: 'Product Clicked',
  productAdded: 'Product Added',
  productRemoved: 'Product Removed',
  productAddedToWishlist: 'Product Added to Wishlist',
  productRemovedFromWishlist: 'Product Removed from Wishlist',
  cartViewed: 'Cart Viewed',
  checkoutStarted: 'Checkout Started',
  orderCompleted: 'Order Completed',
  orderUpdated: 'Order Updated',
  orderRefunded: 'Order Refunded',
  orderCancelled: 'Order Cancelled',
  cartAbandoned: 'Cart Abandoned',
  emailDelivered: 'Email Delivered',
  emailOpened: 'Email Opened',
  emailLinkClicked: 'Email Link Clicked',
  emailBounced: 'Email Bounced',
  emailMarkedAsSpam: 'Email Marked as Spam',
  emailUnsubscribed: 'Email Unsubscribed',
  emailDropped: 'Email Dropped',
} as const;

/** A track event name from the catalogue. */
export type CatalogEventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** The payload branch each catalogue event carries. */
export const CATALOG_PAYLOADS: { readonly [T in CatalogEventType]: PayloadName } = {
  'Product Viewed': 'ProductPayload',
  'Product Clicked': 'ProductPayload',
  'Product Added': 'ProductPayload',
  'Product Removed': 'ProductPayload',
  'Product Added to Wishlist': 'ProductPayload',
  'Product Removed from Wishlist': 'ProductPayload',
  'Cart Viewed': 'CartPayload',
  'Checkout Started': 'OrderPayload',
  'Order Completed': 'OrderPayload',
  'Order Updated': 'OrderPayload',
  'Order Refunded': 'OrderPayload',
  'Order Cancelled': 'OrderPayload',
  'Cart Abandoned': 'CartAbandonedPayload',
  'Email Delivered': 'EmailPayload',
  'Email Opened': 'EmailPayload',
  'Email Link Clicked': 'EmailPayload',
  'Email Bounced': 'EmailPayload',
  'Email Marked as Spam': 'EmailPayload',
  'Email Unsubscribed': 'EmailPayload',
  'Email Dropped': 'EmailPayload',
};

/** True for the catalogue's track event names (case-sensitive, as Segment's spec is). */
export function isCatalogEventType(type: string): type is CatalogEventType {
  return Object.hasOwn(CATALOG_PAYLOADS, type);
}

/** The payload branch an event of this kind and type must carry. */
export function expectedPayload(kind: EventKind, type: string): PayloadName {
  switch (kind) {
    case 'track':
      return isCatalogEventType(type) ? CATALOG_PAYLOADS[type] : 'CustomPayload';
    case 'identify':
      return 'IdentifyPayload';
    case 'page':
    case 'screen':
      return 'PagePayload';
    case 'group':
      return 'GroupPayload';
    case 'alias':
      return 'AliasPayload';
  }
}

/**
 * Checks the envelope agrees with its payload: non-track kinds use the kind as their type, and
 * each event carries the branch `expectedPayload` names. Returns the problems (empty when fine).
 */
export function checkEventPayload(
  event: Pick<PulseEvent, 'kind' | 'type' | 'payload'>,
): ContractProblem[] {
  const problems: ContractProblem[] = [];
  if (event.kind !== 'track' && event.type !== event.kind) {
    problems.push({ path: 'type', message: `a ${event.kind} event has type '${event.kind}'` });
  }
  const wanted = expectedPayload(event.kind, event.type);
  const actual = unwrapPayload(event.payload).name;
  if (actual !== wanted) {
    problems.push({ path: 'payload', message: `'${event.type}' carries ${wanted}, not ${actual}` });
  }
  return problems;
}
