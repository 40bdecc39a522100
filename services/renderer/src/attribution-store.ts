import path from 'node:path';
import { customerKey } from '@pulse/predict';
import { loadScript } from '@pulse/redis';
import type { Redis } from '@pulse/redis';
import type { RendererKeys } from './keys';

const SCRIPT_DIR = path.resolve(__dirname, '..', 'scripts');

/** One send (or holdout decision) as live attribution keeps it for the window. */
export interface AttributedSend {
  emailId: string;
  campaignId: string;
  /** The segment that triggered it, or `none`. */
  segment: string;
  /** The variant, `default`, or `holdout`. */
  arm: string;
  holdout: boolean;
  at: number;
  /** First human open / click (ms), null when none yet. */
  openedAt: number | null;
  clickedAt: number | null;
  /** An order within its window was counted already (a recipient converts once). */
  converted: boolean;
}

/** What a first sight of an order did: nothing (counted before) or the sends converted now. */
export type OrderCount = { duplicate: true } | { duplicate: false; firstConversions: string[] };

/**
 * Live attribution in Redis, one hash per customer (keys.attribution, attr-*.lua): its sends and
 * holdout decisions of the last window with their first open and click, which of them converted,
 * and the orders already counted. Customer ids go through `customerKey`, so the renderer's
 * canonical ids (`u:42`) and events.v1's (`42`) meet, as `pulse report` matches them.
 */
export interface AttributionStore {
  /** Records a send (idempotent); false when it was recorded before. */
  recordSend(
    customerId: string,
    send: Omit<AttributedSend, 'openedAt' | 'clickedAt' | 'converted'>,
    now: number,
  ): Promise<boolean>;
  /** The customer's sends still recorded (some may be past their window until pruned). */
  sends(customerId: string): Promise<AttributedSend[]>;
  /** Notes an open or click: `first`, `again`, or `unknown` (no such send recorded). */
  engage(
    customerId: string,
    emailId: string,
    kind: 'opened' | 'clicked',
    at: number,
  ): Promise<'first' | 'again' | 'unknown'>;
  /** Counts an order once (event id, order id) and marks `emailIds` converted. */
  countOrder(
    customerId: string,
    order: { eventId: string; orderId: string | null; at: number },
    emailIds: readonly string[],
  ): Promise<OrderCount>;
}

const SEP = '|';

/** The stored form of a send: `<at>|<holdout>|<arm>|<segment>|<campaign>` (campaign last: free text). */
function encode(s: Omit<AttributedSend, 'emailId' | 'openedAt' | 'clickedAt' | 'converted'>) {
  return [s.at, s.holdout ? 1 : 0, s.arm, s.segment, s.campaignId].join(SEP);
}

function decode(emailId: string, value: string, fields: Record<string, string>): AttributedSend {
  const [at = '0', holdout, arm = 'default', segment = 'none', ...campaign] = value.split(SEP);
  const num = (v: string | undefined) => (v === undefined ? null : Number(v));
  return {
    emailId,
    campaignId: campaign.join(SEP),
    segment,
    arm,
    holdout: holdout === '1',
    at: Number(at),
    openedAt: num(fields[`o:${emailId}`]),
    clickedAt: num(fields[`k:${emailId}`]),
    converted: fields[`v:${emailId}`] !== undefined,
  };
}

export function createAttributionStore(options: {
  redis: Redis;
  keys: RendererKeys;
  /** The attribution window (ms): how long sends are kept and can take an order. */
  windowMs: number;
}): AttributionStore {
  const { redis, keys, windowMs } = options;
  const sendScript = loadScript('attr-send', SCRIPT_DIR);
  const engageScript = loadScript('attr-engage', SCRIPT_DIR);
  const orderScript = loadScript('attr-order', SCRIPT_DIR);
  const key = (customerId: string) => keys.attribution(customerKey(customerId));
  return {
    async recordSend(customerId, send, now) {
      const reply = await sendScript.run(
        redis,
        [key(customerId)],
        [send.emailId, encode(send), now, windowMs],
      );
      return reply === 1;
    },
    async sends(customerId) {
      const fields = await redis.hgetall(key(customerId));
      return Object.entries(fields)
        .filter(([field]) => field.startsWith('s:'))
        .map(([field, value]) => decode(field.slice(2), value, fields));
    },
    async engage(customerId, emailId, kind, at) {
      const reply = await engageScript.run(
        redis,
        [key(customerId)],
        [kind === 'opened' ? 'o' : 'k', emailId, at],
      );
      return reply === 1 ? 'first' : reply === 0 ? 'again' : 'unknown';
    },
    async countOrder(customerId, order, emailIds) {
      const reply = (await orderScript.run(
        redis,
        [key(customerId)],
        [order.eventId, order.orderId ?? '', order.at, ...emailIds],
      )) as [number, ...string[]]; // attr-order.lua's documented reply
      const [counted, ...converted] = reply;
      return counted === 1
        ? { duplicate: false, firstConversions: converted }
        : { duplicate: true };
    },
  };
}
