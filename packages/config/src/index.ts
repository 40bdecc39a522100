export { env } from './env';
export type { DurationOptions, IntOptions, ListOptions, UrlOptions } from './env';
export { ConfigError, defineConfig, loadConfig, specEntries } from './config';
export type { ConfigOf, ConfigSpec, SpecEntry } from './config';
export { describeConfig, renderConfigTable } from './describe';
export type { ConfigRow } from './describe';
export { formatDuration, parseDuration } from './duration';
export { Variable } from './variable';
export type { ConfigProblem, ValueOf, VariableOptions, VariableRules } from './variable';
