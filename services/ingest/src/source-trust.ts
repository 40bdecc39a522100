import type { FieldProblem } from './problems';
import type { SegmentMessage } from './segment-schema';
import {
  allows,
  BROWSER_NEVER_EVENTS,
  BROWSER_NEVER_TRAITS,
  BUILT_IN_DEFAULTS,
  INTERNAL_ONLY,
  pagePropertiesFor,
  propertiesFor,
  type AllowList,
  type PageCall,
  type SourcePolicy,
} from './source-policy';
import type { Source } from './sources';

/** The policy a source runs under: its configured one, else the default of its trust. */
export function policyOf(source: Source): SourcePolicy {
  return source.policy ?? BUILT_IN_DEFAULTS[source.trust];
}

function denied(field: string, reason: string, code: FieldProblem['code']): FieldProblem {
  return { code, field, reason };
}

/**
 * Refuses what the source may not send: its call type, its track event, a property of that
 * event, or a trait key (of identify `traits` or `context.traits`), naming the field. Hard rules
 * first: nobody sends internal events, browsers never send order/email events or `email` traits.
 */
export function checkAllowed(message: SegmentMessage, source: Source): FieldProblem | undefined {
  const policy = policyOf(source);
  const browser = source.trust === 'browser';
  const who = `${source.trust} source '${source.id}'`;
  if (!allows(policy.calls, message.type)) {
    return denied('type', `'${message.type}' calls may not be sent by ${who}`, 'type_not_allowed');
  }
  if (message.type === 'track') {
    const event = message.event;
    if (
      INTERNAL_ONLY.has(event) ||
      (browser && BROWSER_NEVER_EVENTS.has(event)) ||
      !allows(policy.events, event)
    ) {
      return denied('event', `'${event}' may not be sent by ${who}`, 'type_not_allowed');
    }
    const problem = checkProperties(message.properties, event, source);
    if (problem) return problem;
  }
  if (message.type === 'page' || message.type === 'screen') {
    const problem = checkPageProperties(message.properties, message.type, source);
    if (problem) return problem;
  }
  if (message.type === 'identify') {
    const problem = checkTraits(message.traits, 'traits', source);
    if (problem) return problem;
  }
  return checkTraits(message.context?.traits, 'context.traits', source);
}

/** Refuses trait keys the source may not send (`field` is where they are, e.g. `traits`). */
export function checkTraits(
  traits: Readonly<Record<string, unknown>> | undefined,
  field: string,
  source: Source,
): FieldProblem | undefined {
  if (traits === undefined) return undefined;
  const policy = policyOf(source);
  const browser = source.trust === 'browser';
  if (!browser && policy.traits.any) return undefined;
  for (const key of Object.keys(traits)) {
    if (traits[key] === undefined || traits[key] === null) continue;
    if (browser && BROWSER_NEVER_TRAITS.has(key)) {
      return denied(
        `${field}.${key}`,
        `a browser writeKey is public and may not send ${key} (profiles merge by it); send it with a server key`,
        'field_not_allowed',
      );
    }
    if (!allows(policy.traits, key)) {
      return denied(
        `${field}.${key}`,
        `'${key}' may not be sent by ${source.trust} source '${source.id}'`,
        'field_not_allowed',
      );
    }
  }
  return undefined;
}

/**
 * Refuses a track event's top-level property keys the source may not send for that event
 * (`properties` in config/sources.yaml), naming the first one: `properties.revenue`; then the
 * keys of `products[]` entries outside the `products[]` list: `properties.products.1.price`.
 * Null values are let through, as for traits (they state nothing).
 */
export function checkProperties(
  properties: Readonly<Record<string, unknown>> | undefined,
  event: string,
  source: Source,
): FieldProblem | undefined {
  if (properties === undefined) return undefined;
  const rules = policyOf(source).properties;
  const on = `'${event}'`;
  return (
    checkKeys(properties, 'properties', propertiesFor(rules, event), on, source) ??
    checkProductFields(properties, rules.productFields, on, source)
  );
}

/**
 * Refuses a page or screen call's property keys outside its own entry (`page:` / `screen:` in
 * `properties`; none: any key), then `products[]` fields, as {@link checkProperties} does.
 */
export function checkPageProperties(
  properties: Readonly<Record<string, unknown>> | undefined,
  call: PageCall,
  source: Source,
): FieldProblem | undefined {
  if (properties === undefined) return undefined;
  const rules = policyOf(source).properties;
  const on = `${call} calls`;
  return (
    checkKeys(properties, 'properties', pagePropertiesFor(rules, call), on, source) ??
    checkProductFields(properties, rules.productFields, on, source)
  );
}

/** The first non-null key of `record` outside `allowed`, as a problem naming `<field>.<key>`. */
function checkKeys(
  record: Readonly<Record<string, unknown>>,
  field: string,
  allowed: AllowList,
  on: string,
  source: Source,
): FieldProblem | undefined {
  if (allowed.any) return undefined;
  for (const key of Object.keys(record)) {
    if (record[key] === undefined || record[key] === null) continue;
    if (!allows(allowed, key)) {
      return denied(
        `${field}.${key}`,
        `'${key}' may not be sent ${field === 'properties' ? 'on' : 'in products of'} ${on} by ${source.trust} source '${source.id}'`,
        'field_not_allowed',
      );
    }
  }
  return undefined;
}

/** Keys of `properties.products` entries outside the `products[]` list (unset: any). */
function checkProductFields(
  properties: Readonly<Record<string, unknown>>,
  allowed: AllowList | undefined,
  on: string,
  source: Source,
): FieldProblem | undefined {
  const products = properties.products;
  if (allowed === undefined || allowed.any || !Array.isArray(products)) return undefined;
  for (const [i, entry] of products.entries()) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    const record = entry as Readonly<Record<string, unknown>>; // checked to be an object above
    const problem = checkKeys(record, `properties.products.${i}`, allowed, on, source);
    if (problem) return problem;
  }
  return undefined;
}
