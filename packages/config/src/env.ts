import { formatDuration, parseDuration } from './duration';
import { specError, Variable } from './variable';
import type { ValueOf, VariableOptions, VariableRules } from './variable';

/** `env.int` options: inclusive bounds. */
export interface IntOptions extends VariableOptions<number> {
  min?: number;
  max?: number;
}

/** `env.url` options. */
export interface UrlOptions extends VariableOptions<string> {
  /** Accepted schemes without `://`, e.g. `['redis', 'rediss']`; default any. */
  protocols?: readonly string[];
}

/** `env.list` options. */
export interface ListOptions extends VariableOptions<readonly string[]> {
  /** Separator between items; default `,`. Items are trimmed, blank items dropped. */
  separator?: string;
}

/** `env.duration` options: milliseconds, or text such as `30s`. */
export interface DurationOptions extends Omit<VariableOptions<number>, 'default'> {
  default?: number | string;
  min?: number | string;
  max?: number | string;
}

/** `Out` is `T`, or `T | undefined` when optional without a default (see `ValueOf`). */
function declare<T, Out>(options: VariableOptions<T>, rules: VariableRules<T>): Variable<Out> {
  // Variable keeps rules for any T; the loaded value's static type is Out.
  return new Variable<Out>(options as VariableOptions<unknown>, rules as VariableRules<unknown>);
}

function range(
  min: number | undefined,
  max: number | undefined,
  show: (n: number) => string = String,
): string {
  if (min !== undefined && max !== undefined) return ` from ${show(min)} to ${show(max)}`;
  if (min !== undefined) return ` of at least ${show(min)}`;
  if (max !== undefined) return ` of at most ${show(max)}`;
  return '';
}

function inRange(value: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

function string<const O extends VariableOptions<string>>(options: O): Variable<ValueOf<string, O>> {
  return declare<string, ValueOf<string, O>>(options, {
    kind: 'string',
    expected: 'a non-blank string',
    parse: (text) => ({ value: text }),
    format: (value) => value,
  });
}

function int<const O extends IntOptions>(options: O): Variable<ValueOf<number, O>> {
  const { min, max } = options;
  return declare<number, ValueOf<number, O>>(options, {
    kind: 'int',
    expected: `an integer${range(min, max)}`,
    parse: (text) => {
      if (!/^[+-]?\d+$/.test(text)) return undefined;
      const value = Number(text);
      return Number.isSafeInteger(value) && inRange(value, min, max) ? { value } : undefined;
    },
    format: String,
  });
}

function number<const O extends IntOptions>(options: O): Variable<ValueOf<number, O>> {
  const { min, max } = options;
  return declare<number, ValueOf<number, O>>(options, {
    kind: 'number',
    expected: `a number${range(min, max)}`,
    parse: (text) => {
      const value = Number(text);
      return Number.isFinite(value) && inRange(value, min, max) ? { value } : undefined;
    },
    format: String,
  });
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

function bool<const O extends VariableOptions<boolean>>(options: O): Variable<ValueOf<boolean, O>> {
  return declare<boolean, ValueOf<boolean, O>>(options, {
    kind: 'bool',
    expected: 'true or false (or 1/0, yes/no, on/off)',
    parse: (text) => {
      const lower = text.toLowerCase();
      if (TRUE.includes(lower)) return { value: true };
      if (FALSE.includes(lower)) return { value: false };
      return undefined;
    },
    format: String,
  });
}

function url<const O extends UrlOptions>(options: O): Variable<ValueOf<string, O>> {
  const protocols = options.protocols?.map((p) => p.replace(/:?(\/\/)?$/, '').toLowerCase());
  const schemes = protocols?.map((p) => `${p}://`).join(' or ');
  return declare<string, ValueOf<string, O>>(options, {
    kind: 'url',
    expected: schemes ? `a ${schemes} URL` : 'an absolute URL',
    parse: (text) => {
      if (!URL.canParse(text)) return undefined;
      const scheme = new URL(text).protocol.replace(/:$/, '');
      if (protocols && !protocols.includes(scheme)) return `scheme ${scheme} is not accepted`;
      return { value: text };
    },
    format: (value) => value,
  });
}

function list<const O extends ListOptions>(options: O): Variable<ValueOf<readonly string[], O>> {
  const separator = options.separator ?? ',';
  return declare<readonly string[], ValueOf<readonly string[], O>>(options, {
    kind: 'list',
    expected: `a list separated by "${separator}" with at least one item`,
    parse: (text) => {
      const items = text
        .split(separator)
        .map((item) => item.trim())
        .filter((item) => item !== '');
      return items.length > 0 ? { value: items } : undefined;
    },
    format: (value) => value.join(separator),
  });
}

/** `values`: the accepted values, matched case-insensitively and loaded as spelled there. */
function oneOf<const V extends readonly string[], const O extends VariableOptions<V[number]>>(
  options: O & { values: V },
): Variable<ValueOf<V[number], O>> {
  const values = options.values;
  if (values.length === 0) throw specError(`${options.env}: env.enum needs at least one value`);
  return declare<V[number], ValueOf<V[number], O>>(options, {
    kind: 'enum',
    expected: `one of ${values.join(', ')}`,
    parse: (text) => {
      const found =
        values.find((v) => v === text) ??
        values.find((v) => v.toLowerCase() === text.toLowerCase());
      return found === undefined ? undefined : { value: found };
    },
    format: (value) => value,
  });
}

function toMs(env: string, what: string, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined || !Number.isSafeInteger(ms) || ms < 0) {
    throw specError(`${env}: ${what} ${String(value)} is not a duration`);
  }
  return ms;
}

function duration<const O extends DurationOptions>(options: O): Variable<ValueOf<number, O>> {
  const min = toMs(options.env, 'min', options.min);
  const max = toMs(options.env, 'max', options.max);
  const defaultMs = toMs(options.env, 'default', options.default);
  return declare<number, ValueOf<number, O>>(
    { ...options, default: defaultMs },
    {
      kind: 'duration',
      expected: `a duration${range(min, max, formatDuration)} (milliseconds, or e.g. 500ms, 30s, 5m, 1h, 7d)`,
      parse: (text) => {
        const ms = parseDuration(text);
        return ms !== undefined && inRange(ms, min, max) ? { value: ms } : undefined;
      },
      format: formatDuration,
    },
  );
}

/**
 * Builders that declare one environment variable each, with its name, default and doc line:
 * `env.int({ env: 'PULSE_HTTP_PORT', default: 8080, min: 0, max: 65535, doc: '...' })`.
 * A declaration without `default` is required unless `optional: true`.
 */
export const env = { string, int, number, bool, url, list, enum: oneOf, duration };
