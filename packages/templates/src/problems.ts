/** A problem found while loading template, block or catalog files: where and what. */
export interface TemplateProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** `file:line:col: message`, the form editors and CI logs link to. */
export function formatProblem(p: TemplateProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

/** Thrown inside a parser to stop at a positioned problem; callers turn it into a value. */
export class ProblemAt extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
    this.name = 'ProblemAt';
  }
}
