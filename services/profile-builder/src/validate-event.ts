import { unwrapPayload, type ProductLine, type PulseEvent } from '@pulse/contracts';
import { isKnownCurrency } from './money';

/** What makes an event unusable although it matched the schema: the field and why. */
export interface EventProblem {
  path: string;
  message: string;
}

function checkLine(line: ProductLine, path: string, problems: EventProblem[]): void {
  if (line.quantity !== null && (line.quantity < 0 || !Number.isFinite(line.quantity))) {
    problems.push({ path: `${path}.quantity`, message: `negative quantity ${line.quantity}` });
  }
  if (line.price !== null && (line.price < 0 || !Number.isFinite(line.price))) {
    problems.push({ path: `${path}.price`, message: `negative price ${line.price}` });
  }
  if (line.currency !== null && !isKnownCurrency(line.currency)) {
    problems.push({ path: `${path}.currency`, message: `unknown currency "${line.currency}"` });
  }
}

function checkAmount(value: number | null, path: string, problems: EventProblem[]): void {
  if (value !== null && (value < 0 || !Number.isFinite(value))) {
    problems.push({ path, message: `negative amount ${value}` });
  }
}

/**
 * Checks what the schema cannot: no negative quantities, prices or totals, ISO 4217 currencies,
 * a plausible event time. An empty list means the event can be folded.
 */
export function validateEvent(event: PulseEvent): EventProblem[] {
  const problems: EventProblem[] = [];
  if (!Number.isFinite(event.occurredAt) || event.occurredAt <= 0) {
    problems.push({ path: 'occurredAt', message: `bad event time ${event.occurredAt}` });
  }
  const { name, value } = unwrapPayload(event.payload);
  switch (name) {
    case 'ProductPayload':
      checkLine(value.product, 'payload.product', problems);
      break;
    case 'CartPayload':
    case 'CartAbandonedPayload':
      value.products.forEach((l, i) => checkLine(l, `payload.products[${i}]`, problems));
      checkAmount(value.value, 'payload.value', problems);
      if (value.currency !== null && !isKnownCurrency(value.currency)) {
        problems.push({
          path: 'payload.currency',
          message: `unknown currency "${value.currency}"`,
        });
      }
      break;
    case 'OrderPayload':
      value.products.forEach((l, i) => checkLine(l, `payload.products[${i}]`, problems));
      for (const f of ['total', 'subtotal', 'revenue', 'shipping', 'tax', 'discount'] as const) {
        checkAmount(value[f], `payload.${f}`, problems);
      }
      if (value.currency !== null && !isKnownCurrency(value.currency)) {
        problems.push({
          path: 'payload.currency',
          message: `unknown currency "${value.currency}"`,
        });
      }
      break;
    default:
      break;
  }
  return problems;
}
