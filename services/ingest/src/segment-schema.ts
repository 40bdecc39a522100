import { z } from 'zod';

/**
 * The Segment HTTP Tracking API message, as one runtime schema; the TypeScript types below are
 * derived from it (never written twice). Unknown top-level keys are allowed (Segment clients
 * send `_metadata`, `integrations`, `library` ...) and ignored.
 */

const id = z
  .union([z.string().trim().min(1, 'must not be empty').max(256), z.number().finite()])
  .transform(String);

/** analytics.js sends `userId: null` for anonymous visitors: null means absent, as for Segment. */
const optionalId = id.nullish().transform((value) => value ?? undefined);

const isoDate = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 date-time');

const text = z.string().max(8192);
const jsonObject = z.record(z.string(), z.unknown());

const pageContext = z.looseObject({
  url: text.optional(),
  path: text.optional(),
  referrer: text.optional(),
  title: text.optional(),
  search: text.optional(),
});

const campaignContext = z.looseObject({
  name: text.optional(),
  source: text.optional(),
  medium: text.optional(),
  term: text.optional(),
  content: text.optional(),
});

const context = z.looseObject({
  page: pageContext.optional(),
  userAgent: text.optional(),
  ip: text.optional(),
  locale: text.optional(),
  timezone: text.optional(),
  campaign: campaignContext.optional(),
  traits: jsonObject.optional(),
});

const common = {
  messageId: z.string().trim().min(1, 'must not be empty').max(256).optional(),
  userId: optionalId,
  anonymousId: optionalId,
  timestamp: isoDate.optional(),
  originalTimestamp: isoDate.optional(),
  sentAt: isoDate.optional(),
  context: context.optional(),
  writeKey: z.string().optional(),
};

const track = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string().trim().min(1, 'must not be empty').max(256),
  properties: jsonObject.optional(),
});
const identify = z.looseObject({
  ...common,
  type: z.literal('identify'),
  traits: jsonObject.optional(),
});
const page = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: text.optional(),
  category: text.optional(),
  properties: jsonObject.optional(),
});
const screen = page.extend({ type: z.literal('screen') });
const group = z.looseObject({
  ...common,
  type: z.literal('group'),
  groupId: id,
  traits: jsonObject.optional(),
});
const alias = z.looseObject({
  ...common,
  type: z.literal('alias'),
  previousId: id,
});

/** One Segment call; `type` picks the shape (the single-call routes set it from the path). */
export const segmentMessageSchema = z
  .discriminatedUnion('type', [track, identify, page, screen, group, alias])
  .refine((m) => m.userId !== undefined || m.anonymousId !== undefined, {
    path: ['userId'],
    message: 'userId or anonymousId is required',
  })
  .refine((m) => m.type !== 'alias' || m.userId !== undefined, {
    path: ['userId'],
    message: 'alias needs the new userId',
  });

/** A validated Segment call. */
export type SegmentMessage = z.infer<typeof segmentMessageSchema>;

/** The Segment call kinds, which are also Pulse's `EventKind`s. */
export type SegmentKind = SegmentMessage['type'];

export const SEGMENT_KINDS: readonly SegmentKind[] = [
  'track',
  'identify',
  'page',
  'screen',
  'group',
  'alias',
];

/** The body of `POST /v1/batch`: the envelope only; each item is checked on its own. */
export const segmentBatchSchema = z.looseObject({
  batch: z.array(z.unknown()),
  sentAt: isoDate.optional(),
  context: context.optional(),
  writeKey: z.string().optional(),
});

export type SegmentBatch = z.infer<typeof segmentBatchSchema>;

const amount = z.number().finite().min(0, 'must be ≥ 0');
const quantity = z.number().int('must be an integer').min(0, 'must be ≥ 0');
const optionalText = z.union([z.string(), z.number()]).transform(String).optional();

/** Segment e-commerce v2 product fields. */
export const productSchema = z.looseObject({
  product_id: optionalText,
  sku: optionalText,
  name: optionalText,
  category: optionalText,
  brand: optionalText,
  variant: optionalText,
  price: amount.optional(),
  quantity: quantity.optional(),
  currency: z.string().optional(),
  url: z.string().optional(),
  image_url: z.string().optional(),
});

export const cartPropertiesSchema = z.looseObject({
  cart_id: optionalText,
  products: z.array(productSchema).max(1000).optional(),
  value: amount.optional(),
  currency: z.string().optional(),
});

export const orderPropertiesSchema = z.looseObject({
  order_id: optionalText,
  checkout_id: optionalText,
  cart_id: optionalText,
  affiliation: optionalText,
  total: amount.optional(),
  subtotal: amount.optional(),
  revenue: amount.optional(),
  shipping: amount.optional(),
  tax: amount.optional(),
  discount: amount.optional(),
  coupon: optionalText,
  currency: z.string().optional(),
  products: z.array(productSchema).max(1000).optional(),
});

export const pagePropertiesSchema = z.looseObject({
  url: z.string().optional(),
  path: z.string().optional(),
  referrer: z.string().optional(),
  title: z.string().optional(),
  search: z.string().optional(),
  time_on_page_ms: z.number().int().min(0, 'must be ≥ 0').optional(),
});

export const emailPropertiesSchema = z.looseObject({
  send_id: optionalText,
  message_id: optionalText,
  campaign_id: optionalText,
  variant: optionalText,
  provider: optionalText,
  provider_event_id: optionalText,
  url: z.string().optional(),
  bounce_type: z.enum(['hard', 'soft']).optional(),
  reason: optionalText,
});

export const identifyTraitsSchema = z.looseObject({
  email: z.string().optional(),
  age: z.number().int().min(13, 'must be 13–120').max(120, 'must be 13–120').optional(),
  birthday: isoDate.optional(),
  birthdate: isoDate.optional(),
});

export type ProductProperties = z.infer<typeof productSchema>;
export type CartProperties = z.infer<typeof cartPropertiesSchema>;
export type OrderProperties = z.infer<typeof orderPropertiesSchema>;
export type PageProperties = z.infer<typeof pagePropertiesSchema>;
export type EmailProperties = z.infer<typeof emailPropertiesSchema>;
export type IdentifyTraits = z.infer<typeof identifyTraitsSchema>;
