import type { SegmentDefinition } from './ast';
import type { RuleProblem } from './problems';

function refAt(def: SegmentDefinition, id: string): { line: number; column: number } {
  return def.segmentRefs.find((r) => r.id === id) ?? { line: 1, column: 1 };
}

/**
 * Orders definitions so every `segment:` reference comes before its reader, leaving out (and
 * reporting) those that reference an unknown segment, sit on a cycle, or read one left out.
 */
export function orderSegments(
  defs: readonly SegmentDefinition[],
  problems: RuleProblem[],
): SegmentDefinition[] {
  const byId = new Map(defs.map((d) => [d.id, d]));
  const bad = new Set<string>();
  const report = (def: SegmentDefinition, ref: string, message: string) => {
    const at = refAt(def, ref);
    problems.push({ file: def.file, line: at.line, column: at.column, message });
    bad.add(def.id);
  };
  for (const def of defs) {
    for (const ref of def.segmentRefs) {
      if (!byId.has(ref.id)) report(def, ref.id, `unknown segment '${ref.id}'`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (def: SegmentDefinition) => {
    state.set(def.id, 'visiting');
    stack.push(def.id);
    for (const ref of def.segmentRefs) {
      const next = byId.get(ref.id);
      if (next === undefined) continue;
      if (state.get(next.id) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(next.id)), next.id];
        for (let i = 0; i + 1 < cycle.length; i++) {
          const member = byId.get(cycle[i] ?? '');
          if (member !== undefined)
            report(member, cycle[i + 1] ?? '', `segment cycle: ${cycle.join(' → ')}`);
        }
      } else if (state.get(next.id) === undefined) visit(next);
    }
    stack.pop();
    state.set(def.id, 'done');
  };
  for (const def of defs) if (!state.has(def.id)) visit(def);

  let changed = true;
  while (changed) {
    changed = false;
    for (const def of defs) {
      if (bad.has(def.id)) continue;
      const broken = def.segmentRefs.find((r) => bad.has(r.id));
      if (broken !== undefined) {
        report(def, broken.id, `depends on segment '${broken.id}', which did not load`);
        changed = true;
      }
    }
  }
  const ordered: SegmentDefinition[] = [];
  const placed = new Set<string>();
  const place = (def: SegmentDefinition) => {
    if (placed.has(def.id)) return;
    placed.add(def.id);
    for (const ref of def.segmentRefs) {
      const dep = byId.get(ref.id);
      if (dep !== undefined) place(dep);
    }
    ordered.push(def);
  };
  for (const def of defs) if (!bad.has(def.id)) place(def);
  return ordered;
}
