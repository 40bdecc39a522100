import { expectedPayload } from '@pulse/contracts';
import type { z } from 'zod';
import { fieldOf, invalid, ok, type FieldProblem, type Result } from './problems';
import {
  cartPropertiesSchema,
  emailPropertiesSchema,
  identifyTraitsSchema,
  orderPropertiesSchema,
  pagePropertiesSchema,
  productSchema,
  SEGMENT_KINDS,
  segmentMessageSchema,
  type SegmentKind,
  type SegmentMessage,
} from './segment-schema';

function firstProblem(error: z.ZodError, prefix: string): FieldProblem {
  const issue = error.issues[0];
  const path = [prefix, ...(issue ? issue.path.map(String) : [])].filter((p) => p !== '');
  return { code: 'invalid_field', field: fieldOf(path), reason: issue?.message ?? 'is invalid' };
}

function check(schema: z.ZodType, value: unknown, prefix: string): FieldProblem | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : firstProblem(parsed.error, prefix);
}

/** The e-commerce / page / identify field rules that depend on the event's type. */
function checkTyped(message: SegmentMessage): FieldProblem | undefined {
  switch (message.type) {
    case 'identify':
      return check(identifyTraitsSchema, message.traits, 'traits');
    case 'page':
    case 'screen':
      return check(pagePropertiesSchema, message.properties, 'properties');
    case 'group':
    case 'alias':
      return undefined;
    case 'track':
      break;
  }
  switch (expectedPayload('track', message.event)) {
    case 'ProductPayload':
      return check(productSchema, message.properties, 'properties');
    case 'CartPayload':
      return check(cartPropertiesSchema, message.properties, 'properties');
    case 'OrderPayload':
      return check(orderPropertiesSchema, message.properties, 'properties');
    case 'EmailPayload':
      return check(emailPropertiesSchema, message.properties, 'properties');
    default:
      return undefined;
  }
}

/**
 * Validates one Segment call. `kind` is the route's (`/v1/track` makes it a track whatever the
 * body says); batch items carry their own `type`. Problems name the field.
 */
export function validateMessage(raw: unknown, kind?: SegmentKind): Result<SegmentMessage> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return invalid('', 'must be a JSON object');
  }
  // Batch items carry their own type and zod does not modify its input: no copy for them.
  const body: Record<string, unknown> = kind
    ? { ...raw, type: kind }
    : (raw as Record<string, unknown>);
  if (!SEGMENT_KINDS.includes(body.type as SegmentKind)) {
    return invalid('type', `must be one of ${SEGMENT_KINDS.join(', ')}`);
  }
  const parsed = segmentMessageSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problem: firstProblem(parsed.error, '') };
  const typed = checkTyped(parsed.data);
  return typed ? { ok: false, problem: typed } : ok(parsed.data);
}
