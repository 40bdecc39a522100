import type { PulseEvent, PulseEventPayload, PulseEventPayloadBranches } from './generated';

/** avsc wraps each payload under its full name; the short name is the record's own name. */
const NAMESPACE = 'pulse.events.';

type BranchKey = keyof PulseEventPayloadBranches;
type ShortName<K> = K extends `pulse.events.${infer N}` ? N : never;

/** The payload records by short name. */
type PayloadRecords = { [K in BranchKey as ShortName<K>]: PulseEventPayloadBranches[K] };

/** A payload branch by short name: 'ProductPayload', 'OrderPayload', ..., 'CustomPayload'. */
export type PayloadName = keyof PayloadRecords;

/** The record type of one payload branch, e.g. `PayloadOf<'OrderPayload'>` is `OrderPayload`. */
export type PayloadOf<N extends PayloadName> = PayloadRecords[N];

/**
 * A payload as a discriminated union, to `switch (variant.name)` over exhaustively (the
 * compiler then flags a branch added to the schema and not handled).
 */
export type PayloadVariant = {
  [N in PayloadName]: { readonly name: N; readonly value: PayloadOf<N> };
}[PayloadName];

/** Turns avsc's wrapped payload into `{ name, value }`. Throws on an object avsc did not make. */
export function unwrapPayload(payload: PulseEventPayload): PayloadVariant {
  const keys = Object.keys(payload);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !key.startsWith(NAMESPACE)) {
    throw new TypeError(`not a wrapped event payload (keys: ${JSON.stringify(keys)})`);
  }
  // A wrapped union has exactly one key, the branch's full name, holding that branch's record;
  // TypeScript cannot follow a runtime key back to the matching member, hence the two casts.
  const value: unknown = (payload as Record<string, unknown>)[key];
  return { name: key.slice(NAMESPACE.length), value } as PayloadVariant;
}

/** Builds the wrapped payload avsc encodes, e.g. `wrapPayload('OrderPayload', order)`. */
export function wrapPayload<N extends PayloadName>(
  name: N,
  value: PayloadOf<N>,
): PulseEventPayload {
  // The computed key is `pulse.events.${name}` and value is that branch's record: exactly one
  // member of the union, which TypeScript cannot see through a computed key (it widens the
  // object to an index signature, hence the bridge through unknown).
  const wrapped: unknown = { [`${NAMESPACE}${name}`]: value };
  return wrapped as PulseEventPayload;
}

/** The event's payload if it is of branch `name`, else undefined. */
export function payloadAs<N extends PayloadName>(
  event: Pick<PulseEvent, 'payload'>,
  name: N,
): PayloadOf<N> | undefined {
  // The key `pulse.events.${name}` holds branch `name`'s record when present; a string-keyed
  // view is needed to index the union by a runtime key.
  const value: unknown = (event.payload as Record<string, unknown>)[`${NAMESPACE}${name}`];
  return value as PayloadOf<N> | undefined;
}
