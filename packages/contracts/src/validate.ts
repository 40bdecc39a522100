import type { Type, types } from 'avsc';

/** One thing wrong with a record, naming where (a dotted path) and what. */
export interface ContractProblem {
  /** Dotted path to the offending value, e.g. 'payload.pulse.events.OrderPayload.total'. */
  path: string;
  message: string;
}

const MAX_SHOWN = 80;

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function isRecordType(type: Type): type is types.RecordType {
  return type.typeName === 'record' || type.typeName === 'error';
}

function isUnionType(type: Type): type is types.UnwrappedUnionType | types.WrappedUnionType {
  return type.typeName.startsWith('union:');
}

/** 'pulse.emails.EmailOutcome', 'long', 'double | null'. */
function describeType(type: Type): string {
  if (type.name !== undefined) return type.name;
  if (!isUnionType(type)) return type.typeName;
  const branches = type.types.map(describeType);
  return [...branches.filter((b) => b !== 'null'), ...branches.filter((b) => b === 'null')].join(
    ' | ',
  );
}

function at(path: readonly string[], key?: string): string {
  return (key === undefined ? path : [...path, key]).join('.');
}

/** Keys of `value` that record `type` does not declare (avsc would drop them silently). */
function undeclaredKeys(type: Type, value: unknown): string[] {
  if (!isRecordType(type) || value === null || typeof value !== 'object') return [];
  const declared = new Set(type.fields.map((field) => field.name));
  return Object.keys(value).filter((key) => !declared.has(key));
}

/**
 * Checks a value against a type built by `toAvroType` and lists every problem (empty when the
 * value can be encoded). A missing field that has a default is fine: avsc writes the default.
 * Keys the schema does not declare are problems, since encoding would drop them silently
 * (inside a record that has such keys, deeper undeclared keys show once those are fixed).
 */
export function validateRecord(type: Type, value: unknown): ContractProblem[] {
  const problems: ContractProblem[] = [];
  type.isValid(value, {
    errorHook: (path: string[], got: unknown, expected: Type) => {
      problems.push({
        path: at(path),
        message: `expected ${describeType(expected)}, got ${show(got)}`,
      });
    },
  });
  type.isValid(value, {
    noUndeclaredFields: true,
    errorHook: (path: string[], got: unknown, expected: Type) => {
      for (const key of undeclaredKeys(expected, got)) {
        problems.push({ path: at(path, key), message: `not a field of ${expected.name}` });
      }
    },
  });
  return problems;
}
