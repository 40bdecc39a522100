import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatProblem, loadSegmentSet, type AggregateSpec } from '@pulse/rules';
import type { Logger } from '@pulse/core';

/**
 * The aggregates the segment files in `dir` register (decision 6). Invalid files are logged and
 * left out; a missing directory gives none.
 */
export function loadAggregateSpecs(dir: string, logger: Logger): AggregateSpec[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'));
  } catch (err) {
    logger.warn({ dir, err: String(err) }, 'no segment directory; no rule aggregates maintained');
    return [];
  }
  const files = names.sort().map((name) => ({
    file: name,
    text: readFileSync(path.join(dir, name), 'utf8'),
  }));
  const { set, problems } = loadSegmentSet(files);
  for (const p of problems) logger.warn({ problem: formatProblem(p) }, 'invalid segment file');
  logger.info(
    { segments: set.segments.length, aggregates: set.aggregates.length },
    'rule aggregates loaded',
  );
  return [...set.aggregates];
}
