import type { SimulatedChange } from './memory-segments';
import type { SimulatedEvent, SimulationResult } from './simulate';

/** `2026-01-05 10:30:00` (UTC; the milliseconds only when there are any). */
export function virtualTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, iso.endsWith('.000Z') ? 19 : 23)}`;
}

function changeLine(c: SimulatedChange): string {
  const why = c.cause === 'clock' ? 'time passed' : `on ${c.eventType ?? 'event'}`;
  return `${virtualTime(c.at)}  ${c.customerId}  ${c.change.padEnd(7)}  ${c.segmentId} (v${c.segmentVersion})  ${why}`;
}

function eventLine(e: SimulatedEvent): string {
  const from = e.source === 'scenario' ? '' : `  (from ${e.source})`;
  return `${virtualTime(e.at)}  ${e.customerId}  event    ${e.type}${from}`;
}

/**
 * The simulation as text lines in virtual-time order: every entry and exit (only of `segments`
 * when given), and with `events` also the events that reached events.v1.
 */
export function formatSimulation(
  result: SimulationResult,
  options: { segments?: readonly string[]; events?: boolean } = {},
): string[] {
  const only =
    options.segments && options.segments.length > 0 ? new Set(options.segments) : undefined;
  // At one instant the events come first (they cause the changes), each list in its own order.
  const rows: { at: number; order: number; text: string }[] = [];
  if (options.events)
    result.events.forEach((e, i) => rows.push({ at: e.at, order: i, text: eventLine(e) }));
  result.changes.forEach((c, i) => {
    if (!only || only.has(c.segmentId))
      rows.push({ at: c.at, order: result.events.length + i, text: changeLine(c) });
  });
  return rows.sort((a, b) => a.at - b.at || a.order - b.order).map((r) => r.text);
}
