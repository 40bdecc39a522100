import type { EmailRecord } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import type { Logger } from '@pulse/core';
import type { FiredTimer } from '@pulse/scheduler';
import type { HeldPayload, Renderer } from './renderer';

export interface ReleaseHandlerOptions {
  renderer: Renderer;
  /** Publishes an outcome to emails.v1; resolves once acked. */
  publish: (record: EmailRecord) => Promise<void>;
  logger: Logger;
}

/** Reads a held email's timer payload; throws (non-retriable) on a payload it cannot use. */
export function parseHeldPayload(text: string): HeldPayload {
  const parsed: unknown = JSON.parse(text);
  const p = parsed as Partial<HeldPayload> | null; // checked below
  if (
    typeof p?.campaignId !== 'string' ||
    typeof p.trigger?.id !== 'string' ||
    typeof p.trigger.customerId !== 'string' ||
    typeof p.trigger.at !== 'number'
  )
    throw new PulseError('RENDERER_HELD_PAYLOAD', `held email timer payload is invalid: ${text}`);
  return p as HeldPayload;
}

/**
 * The scheduler handler of held emails: at release, the renderer re-runs the send path and the
 * outcome (sent, suppressed, capped, held again...) is published before the timer is acked. A
 * crash in between fires the timer again; the send record then returns the stored outcome.
 */
export function createReleaseHandler(options: ReleaseHandlerOptions) {
  return async (timer: FiredTimer): Promise<void> => {
    let payload: HeldPayload;
    try {
      payload = parseHeldPayload(timer.payload);
    } catch (err) {
      options.logger.error({ err, timer: timer.id }, 'dropping a held email timer it cannot read');
      return; // acked: firing it again would fail the same way
    }
    const outcomes = await options.renderer.release(payload);
    for (const o of outcomes) await options.publish(o);
  };
}
