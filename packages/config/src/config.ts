import { PulseError } from '@pulse/core';
import { specError, Variable } from './variable';
import type { ConfigProblem } from './variable';

/**
 * A config spec: variables, possibly grouped into nested slices. A service's spec composes its
 * own variables with shared slices: `{ kafka: kafkaConfig, redis: redisConfig, port: env.int(...) }`.
 */
export interface ConfigSpec {
  readonly [key: string]: Variable<unknown> | ConfigSpec;
}

/** The loaded, deeply read-only config of a spec. */
export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends Variable<infer V>
    ? V
    : S[K] extends ConfigSpec
      ? ConfigOf<S[K]>
      : never;
};

/** A declared variable with its place in the spec (`kafka.brokers`). */
export interface SpecEntry {
  path: string;
  variable: Variable<unknown>;
}

/** Thrown by `loadConfig`: its message lists every problem, one per variable. */
export class ConfigError extends PulseError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((p) => p.message).join('; ');
    super('CONFIG_INVALID', `invalid configuration (${count}): ${lines}`, {
      details: { problems: problems.map(({ env, value, expected }) => ({ env, value, expected })) },
    });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Every variable of a spec in declaration order, each environment name once. Throws
 * CONFIG_SPEC_INVALID when two different declarations use the same name: declare each
 * variable once and share the slice instead.
 */
export function specEntries(spec: ConfigSpec): SpecEntry[] {
  const seen = new Map<string, SpecEntry>();
  const visit = (node: ConfigSpec, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (!(value instanceof Variable)) {
        visit(value, path);
        continue;
      }
      const earlier = seen.get(value.env);
      if (earlier && earlier.variable !== value) {
        throw specError(`${value.env} is declared twice (${earlier.path} and ${path})`);
      }
      if (!earlier) seen.set(value.env, { path, variable: value });
    }
  };
  visit(spec, '');
  return [...seen.values()];
}

/** Checks a spec (names, defaults, duplicates) and returns it, typed, for `loadConfig`. */
export function defineConfig<const S extends ConfigSpec>(spec: S): S {
  specEntries(spec);
  return spec;
}

/**
 * Reads every variable of `spec` from `env` and returns the typed config, deeply frozen.
 * Blank values count as unset. Throws one `ConfigError` listing every problem.
 */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  specEntries(spec);
  const problems: ConfigProblem[] = [];
  const build = (node: ConfigSpec): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (!(value instanceof Variable)) {
        out[key] = build(value);
        continue;
      }
      const read = value.read(env[value.env]);
      if (read.ok) out[key] = read.value;
      else if (!problems.some((p) => p.env === read.problem.env)) problems.push(read.problem);
    }
    return out;
  };
  const config = build(spec);
  if (problems.length > 0) throw new ConfigError(problems);
  // build() mirrors the spec's shape key by key, which is what ConfigOf<S> describes.
  return deepFreeze(config) as ConfigOf<S>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
