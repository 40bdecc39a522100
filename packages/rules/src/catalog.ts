import { CATALOG_PAYLOADS, EVENTS_V1_SCHEMA, PROFILE_CHANGES_V1_SCHEMA } from '@pulse/contracts';
import type { AvroRecordSchema, AvroSchema } from '@pulse/contracts';
import type { ValueType } from './ast';

/**
 * The names a rule may read, with their types. Derived from the contracts' Avro schemas (the
 * snapshot's typed fields, IdentifyPayload's traits, each event payload's properties) plus what
 * the marketer declares in `_catalog.yaml` (custom traits and custom events). A name outside it is
 * an error at load, not a silent false.
 */
export interface Catalog {
  /** Typed ProfileSnapshot fields: email, userIds, anonymousIds, firstSeenAt, lastSeenAt. */
  fields: ReadonlyMap<string, ValueType>;
  /** Trait paths (`country`, `consent.email_marketing`, declared custom traits). */
  traits: ReadonlyMap<string, ValueType>;
  /** Event name → its property paths, or `null` for custom events (any property). */
  events: ReadonlyMap<string, ReadonlyMap<string, ValueType> | null>;
}

/** What `_catalog.yaml` declares on top of the schemas. */
export interface CatalogExtension {
  traits?: Readonly<Record<string, ValueType>>;
  events?: readonly string[];
}

/** Identify fields whose Avro type is a string but whose meaning is a date (see their docs). */
const DATE_STRINGS = new Set(['birthdate']);
/** Envelope fields every event has, readable in `where` filters. */
const ENVELOPE: ReadonlyMap<string, ValueType> = new Map<string, ValueType>([
  ['source', 'string'],
  ['context.campaign.name', 'string'],
  ['context.campaign.source', 'string'],
  ['context.campaign.medium', 'string'],
  ['context.page.path', 'string'],
]);

function collectRecords(schema: AvroSchema, out: Map<string, AvroRecordSchema>): void {
  if (Array.isArray(schema)) {
    for (const s of schema) collectRecords(s, out);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  if (schema.type === 'record' || schema.type === 'error') {
    const rec = schema as AvroRecordSchema; // narrowed by its `type`
    out.set(rec.name, rec);
    for (const f of rec.fields) collectRecords(f.type, out);
  } else if (schema.type === 'array' && 'items' in schema) {
    collectRecords(schema.items, out);
  } else if (schema.type === 'map' && 'values' in schema) {
    collectRecords(schema.values, out);
  }
}

/** Flattens a record's fields to dotted paths with their rule types (records recurse). */
function flatten(
  rec: AvroRecordSchema,
  records: ReadonlyMap<string, AvroRecordSchema>,
  prefix: string,
  out: Map<string, ValueType>,
): void {
  for (const field of rec.fields) {
    if (field.name === 'extra') continue; // JSON text; its keys are read as `extra.<key>`
    const path = `${prefix}${field.name}`;
    const t = typeOf(field.type, records);
    if (t === 'record') {
      const nested = recordOf(field.type, records);
      if (nested !== undefined) flatten(nested, records, `${path}.`, out);
    } else if (t !== undefined) {
      out.set(path, DATE_STRINGS.has(field.name) ? 'date' : t);
    }
  }
}

function unwrapNull(schema: AvroSchema): AvroSchema {
  if (Array.isArray(schema)) {
    const rest = schema.filter((s) => s !== 'null');
    return rest.length === 1 && rest[0] !== undefined ? rest[0] : schema;
  }
  return schema;
}

function recordOf(
  schema: AvroSchema,
  records: ReadonlyMap<string, AvroRecordSchema>,
): AvroRecordSchema | undefined {
  const s = unwrapNull(schema);
  if (typeof s === 'string') return records.get(s.split('.').pop() ?? s);
  if (!Array.isArray(s) && (s.type === 'record' || s.type === 'error')) {
    return s as AvroRecordSchema; // narrowed by its `type`
  }
  return undefined;
}

function typeOf(
  schema: AvroSchema,
  records: ReadonlyMap<string, AvroRecordSchema>,
): ValueType | 'record' | undefined {
  const s = unwrapNull(schema);
  if (Array.isArray(s)) return undefined;
  if (typeof s === 'string') {
    if (s === 'string') return 'string';
    if (s === 'boolean') return 'boolean';
    if (['int', 'long', 'float', 'double'].includes(s)) return 'number';
    return records.has(s.split('.').pop() ?? s) ? 'record' : undefined;
  }
  switch (s.type) {
    case 'record':
    case 'error':
      return 'record';
    case 'array':
      return 'list';
    case 'enum':
      return 'string';
    case 'map':
    case 'fixed':
      return undefined;
    default:
      if ('logicalType' in s && s.logicalType === 'timestamp-millis') return 'date';
      return typeOf(s.type, records);
  }
}

/** Builds the catalog from the contracts' schemas plus the marketer's declarations. */
export function buildCatalog(extension: CatalogExtension = {}): Catalog {
  const records = new Map<string, AvroRecordSchema>();
  collectRecords(EVENTS_V1_SCHEMA, records);
  collectRecords(PROFILE_CHANGES_V1_SCHEMA, records);
  const need = (name: string): AvroRecordSchema => {
    const r = records.get(name);
    if (r === undefined) throw new Error(`contracts schema has no record ${name}`);
    return r;
  };
  const fields = new Map<string, ValueType>();
  for (const f of need('ProfileSnapshot').fields) {
    const t = typeOf(f.type, records);
    if (t !== undefined && t !== 'record') fields.set(f.name, t);
  }
  const traits = new Map<string, ValueType>();
  flatten(need('IdentifyPayload'), records, '', traits);
  for (const [name, type] of Object.entries(extension.traits ?? {})) traits.set(name, type);

  const events = new Map<string, ReadonlyMap<string, ValueType> | null>();
  const propsOf = (payload: string): ReadonlyMap<string, ValueType> => {
    const props = new Map<string, ValueType>(ENVELOPE);
    flatten(need(payload), records, '', props);
    return props;
  };
  for (const [type, payload] of Object.entries(CATALOG_PAYLOADS))
    events.set(type, propsOf(payload));
  events.set('page', propsOf('PagePayload'));
  events.set('screen', propsOf('PagePayload'));
  for (const name of extension.events ?? []) events.set(name, null);
  return { fields, traits, events };
}
