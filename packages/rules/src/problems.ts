/** A problem found while loading segment files: where, and what is wrong. */
export interface RuleProblem {
  file: string;
  /** 1-based; 0 when the problem concerns the file as a whole. */
  line: number;
  column: number;
  message: string;
}

/** `file:line:column: message`, the form editors and CI logs link. */
export function formatProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

/** Thrown inside the parser to abandon one condition; caught and collected per file. */
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
