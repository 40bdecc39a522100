import { createHash } from 'node:crypto';
import { EVENT_TYPES } from '@pulse/contracts';
import type { FieldProblem } from './problems';

/** One parsed input row: CSV columns (strings) or an NDJSON object, with its 1-based line. */
export interface ImportRow {
  line: number;
  record: Readonly<Record<string, unknown>>;
}

export type ImportKind = 'customers' | 'orders';

/** A Segment call built from rows, before validation; `line` is where it starts. */
export interface ImportMessage {
  line: number;
  kind: 'identify' | 'track';
  message: Record<string, unknown>;
}

/** CSV columns that hold numbers (CSV has only text; NDJSON numbers pass through). */
const NUMERIC = new Set([
  'age',
  'price',
  'quantity',
  'discount',
  'total',
  'subtotal',
  'tax',
  'shipping',
]);

/** A CSV cell as the type its column means: blanks dropped, numbers parsed, booleans read. */
function cell(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  if (v === '') return undefined;
  if (NUMERIC.has(key)) return Number.isFinite(Number(v)) ? Number(v) : v;
  if (/^consent_/.test(key))
    return /^(true|yes|1)$/i.test(v) ? true : /^(false|no|0)$/i.test(v) ? false : v;
  return v;
}

function clean(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const v = cell(key, value);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const customerId = (r: Record<string, unknown>): unknown => r.customer_id ?? r.user_id ?? r.id;

const digest = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);

const consent = (r: Record<string, unknown>) =>
  r.consent ??
  (r.consent_email !== undefined || r.consent_sms !== undefined
    ? { email_marketing: r.consent_email, sms_marketing: r.consent_sms }
    : undefined);

/**
 * A CRM customer as an identify call. Its messageId is the customer id plus a digest of the row,
 * so re-importing the same file publishes nothing while a changed row publishes the change.
 */
export function customerMessage(row: ImportRow): ImportMessage {
  const r = clean(row.record);
  const NOT_TRAITS = ['customer_id', 'user_id', 'id', 'updated_at', 'consent_email', 'consent_sms'];
  const traits = Object.fromEntries(Object.entries(r).filter(([key]) => !NOT_TRAITS.includes(key)));
  const updated_at = r.updated_at;
  const id = customerId(r);
  return {
    line: row.line,
    kind: 'identify',
    message: {
      type: 'identify',
      messageId: `import-customer-${String(id)}-${digest(r)}`,
      userId: id,
      traits: { ...traits, consent: consent(r) },
      ...(updated_at === undefined ? {} : { timestamp: updated_at }),
    },
  };
}

const ORDER_FIELDS = [
  'order_id',
  'customer_id',
  'user_id',
  'email',
  'time',
  'currency',
  'discount',
  'total',
  'coupon',
];

/** The order-level fields of a CSV line row (the rest describe one product line). */
function productOf(r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).filter(([key]) => !ORDER_FIELDS.includes(key)));
}

/**
 * A historical order as Order Completed at its original time. `rows` are its CSV lines (one per
 * product, order fields taken from the first) or one NDJSON object with `products`. The
 * messageId is the order id; normalization replaces it with the derived order event id
 * (src/order-ids.ts), so an import, a webhook and the tracking API agree on it.
 */
export function orderMessage(rows: readonly ImportRow[]): ImportMessage {
  const first = clean(rows[0]?.record ?? {});
  const products = Array.isArray(first.products)
    ? (first.products as unknown[])
    : Array.isArray(first.lines)
      ? (first.lines as unknown[])
      : rows.map((row) => productOf(clean(row.record)));
  const lines = products.filter(
    (p): p is Record<string, unknown> => p !== null && typeof p === 'object',
  );
  const computed = lines.reduce<number>(
    (sum, p) =>
      sum +
      (typeof p.price === 'number' ? p.price : 0) *
        (typeof p.quantity === 'number' ? p.quantity : 1),
    0,
  );
  const discount = typeof first.discount === 'number' ? first.discount : 0;
  const total = first.total ?? Math.max(0, Math.round((computed - discount) * 100) / 100);
  const email = first.email;
  return {
    line: rows[0]?.line ?? 0,
    kind: 'track',
    message: {
      type: 'track',
      event: EVENT_TYPES.orderCompleted,
      messageId:
        first.order_id === undefined ? undefined : `import-order-${String(first.order_id)}`,
      userId: customerId(first),
      timestamp: first.time ?? first.timestamp,
      properties: {
        order_id: first.order_id,
        currency: first.currency,
        discount: first.discount,
        coupon: first.coupon,
        total,
        products: lines,
      },
      ...(email === undefined ? {} : { context: { traits: { email } } }),
    },
  };
}

/**
 * A problem of the message built from rows, named as the input names it: the column (or NDJSON
 * key) and the line it is on (a CSV order's product N is on the order's line + N).
 */
export function rowProblem(kind: ImportKind, start: number, problem: FieldProblem, csv: boolean) {
  let field = problem.field;
  let line = start;
  const product = /^properties\.products\.(\d+)\.(.+)$/.exec(field);
  if (product && csv) {
    line = start + Number(product[1]);
    field = product[2] ?? field;
  } else if (product) {
    field = `products.${product[1]}.${product[2]}`;
  } else {
    field = field
      .replace(/^(traits|properties|context\.traits)\./, '')
      .replace(/^userId$/, 'customer_id')
      .replace(/^timestamp$/, kind === 'orders' ? 'time' : 'updated_at');
  }
  return { line, field, reason: problem.reason, code: problem.code };
}

export function missingId(kind: ImportKind, message: ImportMessage): FieldProblem | undefined {
  if (kind === 'orders' && message.message.messageId === undefined) {
    return { code: 'invalid_field', field: 'order_id', reason: 'is required' };
  }
  const user = message.message.userId;
  if (user === undefined || user === '') {
    return { code: 'invalid_field', field: 'userId', reason: 'customer_id is required' };
  }
  return undefined;
}
