import { LIMITS } from './body';
import { fitsJsonBytes } from './json-size';
import { normalizeMessage, type NormalizeOptions } from './normalize';
import { isOrderEventId } from './order-ids';
import { within, type FieldProblem } from './problems';
import type { Accepted } from './publisher';
import { segmentBatchSchema, type SegmentKind } from './segment-schema';
import { checkAllowed, checkTraits } from './source-trust';
import { validateMessage } from './validate';

/** A refused request: the HTTP answer, and the reason code for the rejects topic. */
export interface Refusal {
  status: 400 | 403 | 413;
  body: {
    error: string;
    field?: string;
    reason: string;
    limit?: string;
    max?: number;
  };
}

export type CallResult = { ok: true; accepted: Accepted[] } | { ok: false; refusal: Refusal };

/** Everything but the source's identity and the clock's time stays fixed per service. */
export type CallOptions = Omit<NormalizeOptions, 'batchSentAt' | 'batchContext'>;

function refuse(problem: FieldProblem): { ok: false; refusal: Refusal } {
  const status =
    problem.code === 'type_not_allowed' || problem.code === 'field_not_allowed' ? 403 : 400;
  return {
    ok: false,
    refusal: {
      status,
      body: { error: problem.code, field: problem.field, reason: problem.reason },
    },
  };
}

function tooLarge(limit: string, max: number, reason: string, field?: string): CallResult {
  const body = { error: 'payload_too_large', reason, limit, max, ...(field ? { field } : {}) };
  return { ok: false, refusal: { status: 413, body } };
}

function acceptOne(
  raw: unknown,
  kind: SegmentKind | undefined,
  options: NormalizeOptions,
  prefix: string,
): { ok: true; accepted: Accepted } | { ok: false; problem: FieldProblem } {
  const scope = (problem: FieldProblem) => (prefix ? within(prefix, problem) : problem);
  const valid = validateMessage(raw, kind);
  if (!valid.ok) return { ok: false, problem: scope(valid.problem) };
  const denied = checkAllowed(valid.value, options.source);
  if (denied) return { ok: false, problem: scope(denied) };
  const normalized = normalizeMessage(valid.value, options);
  if (!normalized.ok) return { ok: false, problem: scope(normalized.problem) };
  return {
    ok: true,
    accepted: {
      event: normalized.value,
      dedup: valid.value.messageId !== undefined || isOrderEventId(normalized.value.id),
    },
  };
}

/** `POST /v1/<kind>`: one call, its type taken from the route. */
export function acceptCall(body: unknown, kind: SegmentKind, options: CallOptions): CallResult {
  const one = acceptOne(body, kind, options, '');
  return one.ok ? { ok: true, accepted: [one.accepted] } : refuse(one.problem);
}

/**
 * `POST /v1/batch`: all or nothing. The first bad item refuses the whole batch, naming it
 * (`batch.3.properties.price`), so a client never has to guess which part was published.
 */
export function acceptBatch(body: unknown, options: CallOptions): CallResult {
  const envelope = segmentBatchSchema.safeParse(body);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    return refuse({
      code: 'invalid_field',
      field: issue?.path.map(String).join('.') ?? '',
      reason: issue?.message ?? 'is invalid',
    });
  }
  const { batch, sentAt, context } = envelope.data;
  // The envelope's context is merged into every item, so its traits count as theirs.
  const deniedTraits = checkTraits(context?.traits, 'context.traits', options.source);
  if (deniedTraits) return refuse(deniedTraits);
  if (batch.length > LIMITS.batchEvents) {
    return tooLarge(
      'batch_events',
      LIMITS.batchEvents,
      `a batch holds at most ${LIMITS.batchEvents} events`,
    );
  }
  const itemOptions: NormalizeOptions = { ...options, batchSentAt: sentAt, batchContext: context };
  const accepted: Accepted[] = [];
  for (const [i, item] of batch.entries()) {
    if (!fitsJsonBytes(item, LIMITS.eventBytes)) {
      return tooLarge(
        'event_size',
        LIMITS.eventBytes,
        `an event is at most ${LIMITS.eventBytes} bytes`,
        `batch.${i}`,
      );
    }
    const one = acceptOne(item, undefined, itemOptions, `batch.${i}`);
    if (!one.ok) return refuse(one.problem);
    accepted.push(one.accepted);
  }
  return { ok: true, accepted };
}
