import { specEntries } from './config';
import type { ConfigSpec } from './config';

/** One row of a config table: what a README documents about a variable. */
export interface ConfigRow {
  env: string;
  /** The default as a user would write it; `undefined` when there is none. */
  default: string | undefined;
  /** No default and not optional: the service does not start without it. */
  required: boolean;
  doc: string;
  /** What the variable accepts, e.g. `an integer from 0 to 65535`. */
  expected: string;
  /** Where it sits in the spec, e.g. `kafka.brokers`. */
  path: string;
}

/** The rows of a spec in declaration order, one per environment variable. */
export function describeConfig(spec: ConfigSpec): ConfigRow[] {
  return specEntries(spec).map(({ path, variable }) => ({
    env: variable.env,
    default: variable.defaultText,
    required: variable.required,
    doc: variable.doc,
    expected: variable.expected,
    path,
  }));
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function defaultCell(row: ConfigRow): string {
  if (row.default !== undefined) return cell(code(row.default));
  return row.required ? '*required*' : '*unset*';
}

/**
 * A markdown table of a spec (Variable, Default, Accepts, Description), for package READMEs.
 * A README test can check it is current with `expect(readme).toContain(renderConfigTable(spec))`.
 */
export function renderConfigTable(spec: ConfigSpec): string {
  const lines = [
    '| Variable | Default | Accepts | Description |',
    '| --- | --- | --- | --- |',
    ...describeConfig(spec).map(
      (row) =>
        `| ${code(row.env)} | ${defaultCell(row)} | ${cell(row.expected)} | ${cell(row.doc)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
