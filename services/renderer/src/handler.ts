import type { EmailRecord, PulseEvent, SegmentChange } from '@pulse/contracts';
import type { BatchHandler, PulseProducer } from '@pulse/kafka';
import type { Renderer, TriggerIn } from './renderer';
import { fromEvent, fromSegmentChange } from './triggers';

export interface HandlerOptions {
  renderer: Renderer;
  producer: PulseProducer;
  segmentChangesTopic: string;
  eventsTopic: string;
  emailsTopic: string;
  /** Event types that trigger campaigns; other events are skipped without a lookup. */
  eventTypes: { has(type: string): boolean };
}

/**
 * Records of segment-changes.v1 and events.v1 → emails, in partition order; every outcome is
 * produced to emails.v1 (keyed by customer) before the batch returns, so the offset commit
 * follows the outcomes. A render error throws non-retriable: that record alone is dead-lettered.
 */
export function createTriggerHandler(
  options: HandlerOptions,
): BatchHandler<SegmentChange | PulseEvent> {
  const toTrigger = (
    topic: string,
    value: SegmentChange | PulseEvent,
    key: string | null,
  ): TriggerIn | null => {
    if (topic === options.segmentChangesTopic) return fromSegmentChange(value as SegmentChange); // the topic decides the schema
    const event = value as PulseEvent; // events topic
    return options.eventTypes.has(event.type) ? fromEvent(event, key) : null;
  };
  return async (records) => {
    const outcomes: EmailRecord[] = [];
    for (const r of records) {
      const trigger = toTrigger(r.topic, r.value, r.key);
      if (trigger) outcomes.push(...(await options.renderer.handle(trigger)));
    }
    await Promise.all(
      outcomes.map((o) =>
        options.producer.send(options.emailsTopic, { key: o.customerId, value: o }),
      ),
    );
  };
}
