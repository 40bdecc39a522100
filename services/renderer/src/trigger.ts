import type { CartLineIn } from './render-data';

/** What can start an email: a segment change or an event, normalized. */
export interface TriggerIn {
  /** Segment change id or event id: the trigger part of the email id. */
  id: string;
  customerId: string;
  at: number;
  /**
   * Where the email's latency starts: the triggering event's receipt (event triggers), the
   * event behind a segment change, or a time-driven change's due time (epoch ms).
   */
  origin?: number;
  segment?: { id: string; change: 'entered' | 'exited' };
  event?: {
    type: string;
    cart: { lines: CartLineIn[]; value: number | null; currency: string | null } | null;
  };
}
