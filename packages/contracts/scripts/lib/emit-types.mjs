// Maps an avsc Type tree to TypeScript declarations.
//
// The walk follows the Type that avsc built with the same parse options toAvroType uses, so
// the declarations describe exactly what avsc decodes: longs are numbers (logical types are
// not registered, timestamp-millis stays epoch milliseconds), unions are wrapped or not as
// avsc chose. Docs, defaults and logical types are read from the schema JSON beside it.

const NUMBERS = new Set(['int', 'long', 'float', 'double']);

/** 'pulse.events.ProductLine' -> 'ProductLine'. */
export function shortName(fullName) {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}

function pascal(name) {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** 'EventKind' -> 'EVENT_KIND'; 'events.v1' -> 'EVENTS_V1'. */
export function screamingSnake(name) {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

function tsDoc(lines, indent) {
  if (lines.length === 0) return '';
  const safe = lines.map((line) => line.replaceAll('*/', '*\\/'));
  if (safe.length === 1) return `${indent}/** ${safe[0]} */\n`;
  return `${indent}/**\n${safe.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
}

function hasLogicalType(schema, logicalType) {
  if (Array.isArray(schema)) return schema.some((branch) => hasLogicalType(branch, logicalType));
  return schema !== null && typeof schema === 'object' && schema.logicalType === logicalType;
}

function fieldDoc(fieldJson) {
  const lines = [];
  if (fieldJson.doc) lines.push(fieldJson.doc);
  if (hasLogicalType(fieldJson.type, 'timestamp-millis')) lines.push('Epoch milliseconds.');
  // A null default is the house rule for every nullable field; only other defaults are news.
  if (fieldJson.default !== undefined && fieldJson.default !== null) {
    lines.push(`@defaultValue ${JSON.stringify(fieldJson.default)}`);
  }
  return lines;
}

/** Every named type's JSON in a bundled schema, by full name (for docs and defaults). */
function collectNamedJson(node, namespace, into) {
  if (Array.isArray(node)) {
    node.forEach((branch) => collectNamedJson(branch, namespace, into));
  } else if (node !== null && typeof node === 'object') {
    if (typeof node.name === 'string') {
      const ns = node.namespace ?? namespace;
      const fullName = node.name.includes('.') || !ns ? node.name : `${ns}.${node.name}`;
      into.set(fullName, node);
      namespace = fullName.slice(0, Math.max(fullName.lastIndexOf('.'), 0));
    }
    node.fields?.forEach((field) => collectNamedJson(field.type, namespace, into));
    if (node.items !== undefined) collectNamedJson(node.items, namespace, into);
    if (node.values !== undefined) collectNamedJson(node.values, namespace, into);
  }
  return into;
}

function tsTypeOf(type, ctx, hint) {
  switch (type.typeName) {
    case 'null':
    case 'boolean':
    case 'string':
      return type.typeName;
    case 'bytes':
    case 'fixed':
      return 'Buffer';
    case 'record':
    case 'error':
      emitRecord(type, ctx);
      return shortName(type.name);
    case 'enum':
      emitEnum(type, ctx);
      return shortName(type.name);
    case 'array': {
      const items = tsTypeOf(type.itemsType, ctx, `${hint}Item`);
      return items.includes('|') ? `Array<${items}>` : `${items}[]`;
    }
    case 'map':
      return `Record<string, ${tsTypeOf(type.valuesType, ctx, `${hint}Value`)}>`;
    case 'union:unwrapped': {
      const branches = type.types.map((branch, i) => tsTypeOf(branch, ctx, `${hint}${i}`));
      const nonNull = branches.filter((b) => b !== 'null');
      return [...nonNull, ...(nonNull.length < branches.length ? ['null'] : [])].join(' | ');
    }
    case 'union:wrapped':
      emitWrappedUnion(type, ctx, hint);
      return hint;
    default:
      if (NUMBERS.has(type.typeName)) return 'number';
      throw new Error(`no TypeScript mapping for avsc type ${type.typeName}`);
  }
}

/** Reserves the declaration's place before its children, so parents come first in the file. */
function claim(ctx, key) {
  if (ctx.declared.has(key)) return -1;
  ctx.declared.add(key);
  return ctx.blocks.push('') - 1;
}

function emitRecord(type, ctx) {
  const slot = claim(ctx, type.name);
  if (slot < 0) return;
  const json = ctx.named.get(type.name);
  const name = shortName(type.name);
  const fields = type.fields.map((field, i) => {
    const ts = tsTypeOf(field.type, ctx, `${name}${pascal(field.name)}`);
    return `${tsDoc(fieldDoc(json.fields[i]), '  ')}  ${field.name}: ${ts};`;
  });
  const doc = tsDoc(json.doc ? [json.doc] : [], '');
  ctx.blocks[slot] = `${doc}export interface ${name} {\n${fields.join('\n')}\n}`;
}

function emitEnum(type, ctx) {
  const slot = claim(ctx, type.name);
  if (slot < 0) return;
  const json = ctx.named.get(type.name);
  const name = shortName(type.name);
  const symbols = type.symbols.map((s) => `'${s}'`);
  ctx.blocks[slot] =
    `${tsDoc(json.doc ? [json.doc] : [], '')}export type ${name} = ${symbols.join(' | ')};\n\n` +
    `/** Every ${name} symbol, in schema order. */\n` +
    `export const ${screamingSnake(name)}_SYMBOLS: readonly ${name}[] = [${symbols.join(', ')}];`;
}

function emitWrappedUnion(type, ctx, name) {
  const slot = claim(ctx, `union:${name}`);
  if (slot < 0) return;
  const branches = type.types.map((branch) => ({
    key: branch.branchName,
    ts: tsTypeOf(branch, ctx, `${name}${pascal(shortName(branch.branchName))}`),
  }));
  const keyed = branches.filter((b) => b.ts !== 'null');
  const members = keyed.map((b) => `{ '${b.key}': ${b.ts} }`);
  if (keyed.length < branches.length) members.push('null');
  ctx.blocks[slot] =
    `/** The branches of the ${name} union, by the key avsc wraps each in (its branch name). */\n` +
    `export interface ${name}Branches {\n${keyed.map((b) => `  '${b.key}': ${b.ts};`).join('\n')}\n}\n\n` +
    `/** A wrapped union as avsc decodes it: an object with exactly one key, the branch name. */\n` +
    `export type ${name} = ${members.join(' | ')};`;
}

/**
 * The TypeScript module of one topic: declarations for every type the root reaches, then the
 * bundled schema as a typed constant. Returns the source and the declared type names.
 */
export function emitTopicModule({ topic, bundle, rootType, header }) {
  const ctx = { named: collectNamedJson(bundle, '', new Map()), blocks: [], declared: new Set() };
  tsTypeOf(rootType, ctx, pascal(topic));
  const isRecord = bundle.type === 'record';
  const schemaType = isRecord ? 'AvroRecordSchema' : 'AvroSchema';
  const constant =
    `/** The bundled schema of ${topic}, as registered under \`${topic}-value\`. */\n` +
    `export const ${screamingSnake(topic)}_SCHEMA: ${schemaType} = ${JSON.stringify(bundle)};`;
  const source = [
    header,
    `import type { ${schemaType} } from '../avro-schema';`,
    ...ctx.blocks,
    constant,
  ].join('\n\n');
  const names = [...ctx.declared].map((key) => shortName(key.replace(/^union:/, '')));
  return { source: `${source}\n`, names };
}
