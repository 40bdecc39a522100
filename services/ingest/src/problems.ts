/**
 * Why an input was refused, naming the field. `code` is stable: it is the `error` of the HTTP
 * answer and the `reason` of the EventReject record.
 */
export interface FieldProblem {
  /** `invalid_field`: does not fit the API; `outlier`: fits but is implausible (quarantined);
   * `type_not_allowed`: the source may not send this call or event type;
   * `field_not_allowed`: the source may not send this field (config/sources.yaml). */
  code: 'invalid_field' | 'outlier' | 'type_not_allowed' | 'field_not_allowed';
  /** Dotted path, e.g. `properties.price` or `batch.3.userId`. */
  field: string;
  reason: string;
}

/** Expected failures are values, not exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const invalid = (field: string, reason: string): { ok: false; problem: FieldProblem } => ({
  ok: false,
  problem: { code: 'invalid_field', field, reason },
});

export const outlier = (field: string, reason: string): { ok: false; problem: FieldProblem } => ({
  ok: false,
  problem: { code: 'outlier', field, reason },
});

/** Prefixes a problem's field, e.g. with `batch.3`. */
export function within(prefix: string, problem: FieldProblem): FieldProblem {
  return { ...problem, field: problem.field ? `${prefix}.${problem.field}` : prefix };
}

/** A zod issue path as a dotted field name. */
export function fieldOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}
