import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  formatProblem,
  loadSegmentSet,
  type SegmentFile,
  type SegmentSet,
  type VersionInfo,
} from '@pulse/rules';

export interface LoadedSegments {
  set: SegmentSet;
  /** `file:line:col: message` per problem; those files were left out. */
  problems: string[];
}

/** Reads the `.yaml` files of a directory (a missing directory reads as none). */
export function readSegmentFiles(dir: string): SegmentFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((name) => ({ file: name, text: readFileSync(path.join(dir, name), 'utf8') }));
}

/** Loads and compiles the segments; invalid files are reported and skipped, never thrown. */
export function loadSegments(
  files: readonly SegmentFile[],
  previous?: ReadonlyMap<string, VersionInfo>,
): LoadedSegments {
  const { set, problems } = loadSegmentSet(files, { previous });
  return { set, problems: problems.map(formatProblem) };
}
