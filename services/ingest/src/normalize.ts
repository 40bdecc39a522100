import { expectedPayload, type Context, type PulseEvent } from '@pulse/contracts';
import type { CategorySynonyms } from './categories';
import { normalizeEmail, text } from './fields';
import { orderEventId, orderIdParts } from './order-ids';
import { buildPayload } from './payloads';
import { ok, outlier, type Result } from './problems';
import type { SegmentMessage } from './segment-schema';
import type { Source } from './sources';
import { eventTime } from './timestamps';

/** What normalization needs besides the message. */
export interface NormalizeOptions {
  source: Source;
  /** Epoch ms, from the injected clock. */
  receivedAt: number;
  /** The client address as the server saw it (used when the message has no `context.ip`). */
  requestIp?: string | undefined;
  /** The batch envelope's `sentAt` / `context`, which items inherit. */
  batchSentAt?: string | undefined;
  batchContext?: Record<string, unknown> | undefined;
  /** Events further in the future than this (after skew correction) are outliers. */
  maxFutureSkewMs: number;
  /** Order totals above this are outliers. */
  maxOrderTotal: number;
  /** Canonical product categories (config/categories.yaml). */
  categories: CategorySynonyms;
  /** Id for messages without a messageId. */
  newId: () => string;
}

type SegmentContext = NonNullable<SegmentMessage['context']>;

function buildContext(context: SegmentContext | undefined, requestIp: string | undefined): Context {
  const page = context?.page;
  const campaign = context?.campaign;
  return {
    page: page
      ? {
          url: text(page.url),
          path: text(page.path),
          referrer: text(page.referrer),
          title: text(page.title),
          search: text(page.search),
        }
      : null,
    userAgent: text(context?.userAgent),
    ip: text(context?.ip) ?? requestIp ?? null,
    locale: text(context?.locale),
    timezone: text(context?.timezone),
    campaign: campaign
      ? {
          name: text(campaign.name),
          source: text(campaign.source),
          medium: text(campaign.medium),
          term: text(campaign.term),
          content: text(campaign.content),
        }
      : null,
  };
}

function identityEmail(message: SegmentMessage): Result<string | null> {
  if (message.type === 'identify' && message.traits?.email !== undefined) {
    return normalizeEmail(message.traits.email, 'traits.email');
  }
  return normalizeEmail(message.context?.traits?.email, 'context.traits.email');
}

function mergeContext(
  message: SegmentMessage,
  batchContext: Record<string, unknown> | undefined,
): SegmentContext | undefined {
  if (!batchContext) return message.context;
  // The schema checked the batch envelope's context with the same rules as an item's.
  return { ...(batchContext as SegmentContext), ...message.context };
}

/**
 * Turns a validated Segment call into an events.v1 record: envelope, context, typed payload.
 * Fails (naming the field) on values that fit the API but not Pulse's rules: bad emails,
 * countries, currencies, outliers.
 */
export function normalizeMessage(
  message: SegmentMessage,
  options: NormalizeOptions,
): Result<PulseEvent> {
  const occurredAt = eventTime(
    {
      timestamp: message.timestamp,
      originalTimestamp: message.originalTimestamp,
      sentAt: message.sentAt ?? options.batchSentAt,
    },
    { receivedAt: options.receivedAt, correctTimestamp: options.source.trust === 'browser' },
  );
  if (occurredAt - options.receivedAt > options.maxFutureSkewMs) {
    return outlier('timestamp', 'is too far in the future');
  }
  const email = identityEmail(message);
  if (!email.ok) return email;
  const kind = message.type;
  const type = kind === 'track' ? message.event : kind;
  const payload = buildPayload(message, expectedPayload(kind, type), options);
  if (!payload.ok) return payload;
  // Order events get an id derived from (order system, order id, kind), so the same order from
  // the tracking API, a store webhook and an import is one event (src/order-ids.ts).
  const derived =
    message.type === 'track'
      ? orderEventId(
          orderIdParts(options.source.orderSystem ?? options.source.id, type, message.properties),
        )
      : undefined;
  const event: PulseEvent = {
    id: derived ?? message.messageId ?? options.newId(),
    type,
    kind,
    source: options.source.id,
    occurredAt,
    receivedAt: options.receivedAt,
    userId: message.userId ?? null,
    anonymousId: message.anonymousId ?? null,
    email: email.value,
    context: buildContext(mergeContext(message, options.batchContext), options.requestIp),
    payload: payload.value,
  };
  return ok(event);
}
