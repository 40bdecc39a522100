// Loads one topic's schema directory and bundles it into one self-contained Avro schema.
//
// Layout: schemas/<topic>/value.avsc is the root (the schema registered under `<topic>-value`);
// every other .avsc file in the directory defines one named type (with an explicit namespace)
// that the root reaches by name. The schema registry receives a single schema, so each named
// type is inlined where the root first reaches it and referenced by name afterwards.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const PRIMITIVES = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
]);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);
const ROOT_FILE = 'value.avsc';

/** Full name of a named schema, resolving a short name against the enclosing namespace. */
export function fullNameOf(name, namespace) {
  if (name.includes('.') || !namespace) return name;
  return `${namespace}.${name}`;
}

function namespaceOfFullName(fullName) {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

function definitionName(node, enclosingNamespace) {
  return fullNameOf(node.name, node.namespace ?? enclosingNamespace);
}

/** Reads every .avsc of a topic directory: the root and the named types keyed by full name. */
export async function loadTopicSchemas(topicDir) {
  const files = (await readdir(topicDir)).filter((f) => f.endsWith('.avsc')).sort();
  if (!files.includes(ROOT_FILE)) throw new Error(`${topicDir}: missing ${ROOT_FILE} (the root)`);
  const definitions = new Map();
  let root;
  for (const file of files) {
    const where = path.join(topicDir, file);
    const schema = JSON.parse(await readFile(where, 'utf8'));
    if (file === ROOT_FILE) {
      root = schema;
      continue;
    }
    if (!NAMED.has(schema.type) || typeof schema.name !== 'string') {
      throw new Error(`${where}: must define one named type (record, enum or fixed)`);
    }
    if (!schema.name.includes('.') && typeof schema.namespace !== 'string') {
      throw new Error(`${where}: a named type in its own file needs an explicit namespace`);
    }
    const fullName = definitionName(schema, '');
    if (definitions.has(fullName)) throw new Error(`${where}: ${fullName} is defined twice`);
    definitions.set(fullName, { file: where, schema });
  }
  return { root, definitions };
}

/**
 * Inlines the named types the root reaches, in depth-first field order (deterministic), and
 * fails on a file the root never reaches (dead schema text misleads readers).
 */
export function bundleTopic({ root, definitions }, topicDir) {
  const emitted = new Set();
  const visit = (node, namespace) => {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node)) return node;
      const fullName = fullNameOf(node, namespace);
      const definition = definitions.get(fullName);
      if (emitted.has(fullName) || definition === undefined) return node;
      return visit(definition.schema, namespace);
    }
    if (Array.isArray(node)) return node.map((branch) => visit(branch, namespace));
    return visitObject(node, namespace, visit, emitted);
  };
  const bundle = visit(root, '');
  const unused = [...definitions.keys()].filter((name) => !emitted.has(name));
  if (unused.length > 0) {
    throw new Error(
      `${topicDir}: defined but never reached from ${ROOT_FILE}: ${unused.join(', ')}`,
    );
  }
  return bundle;
}

function visitObject(node, namespace, visit, emitted) {
  switch (node.type) {
    case 'record':
    case 'error': {
      const fullName = definitionName(node, namespace);
      emitted.add(fullName); // before the fields: a record may refer to itself
      const inner = namespaceOfFullName(fullName);
      return {
        ...node,
        fields: node.fields.map((field) => ({ ...field, type: visit(field.type, inner) })),
      };
    }
    case 'enum':
    case 'fixed':
      emitted.add(definitionName(node, namespace));
      return node;
    case 'array':
      return { ...node, items: visit(node.items, namespace) };
    case 'map':
      return { ...node, values: visit(node.values, namespace) };
    default:
      return node; // a primitive written as an object, e.g. with a logicalType
  }
}

/**
 * House rules avsc does not enforce: an optional field is a union with "null" first and
 * `"default": null`, so a later schema may add such a field and still read old data (BACKWARD);
 * and no default the registry refuses.
 */
export function lintBundle(bundle, topic) {
  const problems = [];
  const walk = (node, where) => {
    if (Array.isArray(node)) {
      node.forEach((branch) => walk(branch, where));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (node.type === 'record' || node.type === 'error') {
      for (const field of node.fields) {
        const at = `${topic} ${node.name}.${field.name}`;
        if (Array.isArray(field.type) && field.type.includes('null')) {
          if (field.type[0] !== 'null') problems.push(`${at}: put "null" first in the union`);
          if (field.default !== null)
            problems.push(`${at}: a nullable field needs "default": null`);
        }
        if (field.default === '{}') {
          // Measured on Apicurio 3.0.9: this exact string default makes it refuse the schema
          // ("Failed to discover artifact type from content"), though Avro allows it.
          problems.push(`${at}: the registry refuses the string default "{}"; drop the default`);
        }
        walk(field.type, at);
      }
    }
    if (node.type === 'array') walk(node.items, where);
    if (node.type === 'map') walk(node.values, where);
  };
  walk(bundle, topic);
  return problems;
}
