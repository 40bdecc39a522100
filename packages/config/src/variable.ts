import { PulseError } from '@pulse/core';

/** One problem found while reading the environment; `ConfigError` lists them all. */
export interface ConfigProblem {
  /** The environment variable to change. */
  env: string;
  /** The raw value as found (`undefined` when unset; `<redacted>` for secrets). */
  value: string | undefined;
  /** What the variable accepts, e.g. `an integer from 1 to 65535`. */
  expected: string;
  /** One line naming the variable, the bad value and what was expected. */
  message: string;
}

/** What a kind of variable knows: how to parse text, how to print a value, what it accepts. */
export interface VariableRules<T> {
  /** Short type name for docs, e.g. `int`, `duration`. */
  kind: string;
  /** Completes "expected ...": `an integer from 1 to 65535`. */
  expected: string;
  /** Parses trimmed, non-empty text; `undefined` means not acceptable, a string says why. */
  parse(text: string): { value: T } | string | undefined;
  /** Prints a value the way a user would write it (used for defaults in docs). */
  format(value: T): string;
}

/** Options every declaration takes. */
export interface VariableOptions<T> {
  /** Environment variable name, upper snake case: `KAFKA_BROKERS`. */
  env: string;
  /** One line for the README config table: what the value controls. */
  doc: string;
  /** Used when the variable is unset or blank. */
  default?: T;
  /** Without a default: when true an unset variable yields `undefined`; else it is an error. */
  optional?: boolean;
  /** Hide the value in error messages (passwords, tokens, URLs with credentials). */
  secret?: boolean;
}

/** The loaded type: `T`, or `T | undefined` when optional without a default. */
export type ValueOf<T, O> = O extends { default: NonNullable<unknown> }
  ? T
  : O extends { optional: true }
    ? T | undefined
    : T;

export type ReadResult<Out> = { ok: true; value: Out } | { ok: false; problem: ConfigProblem };

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
const MAX_SHOWN = 80;

/**
 * One declared environment variable. Create them with the `env.*` builders; `Out` is the type
 * the loaded config holds for it.
 */
export class Variable<Out> {
  readonly env: string;
  readonly doc: string;
  readonly kind: string;
  readonly expected: string;
  /** True when there is no default and the variable is not optional. */
  readonly required: boolean;
  readonly secret: boolean;
  /** The default as a user would write it, or `undefined` when there is none. */
  readonly defaultText: string | undefined;
  private readonly rules: VariableRules<unknown>;
  private readonly defaultValue: unknown;

  /** Use the `env.*` builders; this validates the declaration itself. */
  constructor(options: VariableOptions<unknown>, rules: VariableRules<unknown>) {
    if (!ENV_NAME.test(options.env)) {
      throw specError(
        `"${options.env}" is not an environment variable name (use UPPER_SNAKE_CASE)`,
      );
    }
    if (!options.doc.trim()) throw specError(`${options.env} needs a doc line`);
    this.env = options.env;
    this.doc = options.doc.trim();
    this.kind = rules.kind;
    this.expected = rules.expected;
    this.secret = options.secret ?? false;
    this.rules = rules;
    this.defaultValue = options.default;
    this.required = options.default === undefined && options.optional !== true;
    this.defaultText = options.default === undefined ? undefined : rules.format(options.default);
    if (this.defaultText !== undefined && !isAcceptable(rules, this.defaultText)) {
      throw specError(`${options.env}: default ${this.defaultText} is not ${rules.expected}`);
    }
  }

  /** Reads the raw environment value; blank counts as unset. */
  read(raw: string | undefined): ReadResult<Out> {
    const text = raw?.trim();
    if (text === undefined || text === '') {
      if (!this.required) return this.ok(this.defaultValue);
      return this.fail(undefined, `${this.env} is required but not set: expected ${this.expected}`);
    }
    const parsed = this.rules.parse(text);
    if (parsed !== undefined && typeof parsed !== 'string') return this.ok(parsed.value);
    const shown = this.secret ? '<redacted>' : text;
    const why = typeof parsed === 'string' ? ` (${parsed})` : '';
    return this.fail(
      shown,
      `${this.env}=${quote(shown)} is invalid: expected ${this.expected}${why}`,
    );
  }

  private ok(value: unknown): ReadResult<Out> {
    // The builders tie Out to what rules.parse returns (plus undefined when optional).
    return { ok: true, value: value as Out };
  }

  private fail(value: string | undefined, message: string): ReadResult<Out> {
    return { ok: false, problem: { env: this.env, value, expected: this.expected, message } };
  }
}

function isAcceptable(rules: VariableRules<unknown>, text: string): boolean {
  const parsed = rules.parse(text);
  return parsed !== undefined && typeof parsed !== 'string';
}

function quote(text: string): string {
  const cut = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
  return JSON.stringify(cut);
}

/** A mistake in a declaration (a programming error, not bad input). */
export function specError(message: string): PulseError {
  return new PulseError('CONFIG_SPEC_INVALID', message);
}
