import type { ProfileSnapshot } from '@pulse/contracts';
import type { AggregateSpec, Metric, SegmentDefinition } from './ast';
import { buildCatalog } from './catalog';
import type { Catalog } from './catalog';
import { compileCondition } from './compile';
import type { CompiledNode, EvalContext } from './compile';
import { conditionNeeds, conditionReads } from './dependencies';
import type { Distributions } from './distribution';
import { parseCatalogFile, parseSegmentFile } from './parse-file';
import type { SegmentFile } from './parse-file';
import type { RuleProblem } from './problems';
import { ProfileView } from './profile-view';
import { orderSegments } from './segment-graph';

/** A definition's version: the content hash, and a number that grows by one per edit. */
export interface VersionInfo {
  hash: string;
  number: number;
}

/** One loaded, compiled segment. */
export interface CompiledSegment {
  id: string;
  name: string;
  description: string;
  file: string;
  version: VersionInfo;
  definition: SegmentDefinition;
  /** Profile paths it reads directly (`traits.x`, `aggregates.<id>`, `distributions.<metric>`, `segments.<id>`...). */
  reads: readonly string[];
  /** Segments it reads through `segment:` (evaluated before it). */
  dependsOn: readonly string[];
  node: CompiledNode;
}

export interface EvaluationInput {
  customerId: string;
  /** The snapshot, or a view of it already used for other evaluations (parses once). */
  profile: ProfileSnapshot | ProfileView;
  now: number;
  /** Population distributions by metric id (see `SegmentSet.metrics`); missing → percentile rules are false. */
  distributions?: Distributions;
  /**
   * Stored memberships: read for `segment:` references to segments not evaluated in this call,
   * and for hysteresis (a stored member of a segment is held to its exit bounds). Pass every
   * segment the customer is stored in, also on clock re-checks.
   */
  memberships?: ReadonlySet<string>;
}

export interface SegmentResult {
  id: string;
  version: number;
  member: boolean;
  /** Earliest future instant (ms) the answer can change with time alone; null: never. */
  nextFlipAt: number | null;
}

export interface LoadOptions {
  /** Used when the files hold no `_catalog.yaml`. Default: the schema-derived catalog. */
  catalog?: Catalog;
  /** Versions known before this load (from storage), to number edits. */
  previous?: ReadonlyMap<string, VersionInfo>;
}

/** The file that declares custom traits and events rather than a segment. */
export const CATALOG_FILE = '_catalog.yaml';

const EMPTY: Distributions = new Map();
const NO_MEMBERS: ReadonlySet<string> = new Set();

/** A loaded set of segments: topologically ordered, with their dependency index. */
export class SegmentSet {
  readonly segments: readonly CompiledSegment[];
  /** Every aggregate the rules read, with the longest horizon any rule needs. */
  readonly aggregates: readonly AggregateSpec[];
  /** Every metric whose population distribution percentile rules read. */
  readonly metrics: readonly Metric[];
  private readonly byId = new Map<string, number>();
  private readonly byPath = new Map<string, number[]>();
  private readonly dependents = new Map<string, string[]>();

  constructor(segments: readonly CompiledSegment[]) {
    this.segments = segments;
    const aggs = new Map<string, AggregateSpec>();
    const metrics = new Map<string, Metric>();
    segments.forEach((s, i) => {
      this.byId.set(s.id, i);
      conditionNeeds(s.definition.rule, aggs, metrics);
      for (const path of s.reads) {
        if (path.startsWith('segments.')) continue;
        const list = this.byPath.get(path) ?? [];
        list.push(i);
        this.byPath.set(path, list);
      }
      for (const dep of s.dependsOn)
        this.dependents.set(dep, [...(this.dependents.get(dep) ?? []), s.id]);
    });
    this.aggregates = [...aggs.values()].sort((a, b) => a.id.localeCompare(b.id));
    this.metrics = [...metrics.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): CompiledSegment | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.segments[i];
  }

  /**
   * The segments to re-evaluate after a change of these paths (ProfileChange.changed, or
   * `distributions.<metric id>`), with the segments reading them through `segment:`, in
   * evaluation order.
   */
  affectedBy(changed: readonly string[]): string[] {
    const hit = new Set<number>();
    const visit = (i: number) => {
      if (hit.has(i)) return;
      hit.add(i);
      const s = this.segments[i];
      for (const d of s === undefined ? [] : (this.dependents.get(s.id) ?? [])) {
        const j = this.byId.get(d);
        if (j !== undefined) visit(j);
      }
    };
    for (const path of changed) for (const i of this.byPath.get(path) ?? []) visit(i);
    return [...hit].sort((a, b) => a - b).map((i) => this.segments[i]?.id ?? '');
  }

  /**
   * Evaluates the given segments (default: all) for one profile at `now`, in dependency order.
   * A `segment:` reference reads this call's result when that segment is evaluated here.
   */
  evaluate(input: EvaluationInput, ids?: readonly string[]): SegmentResult[] {
    const view =
      input.profile instanceof ProfileView
        ? input.profile
        : new ProfileView(input.customerId, input.profile);
    const stored = input.memberships ?? NO_MEMBERS;
    const results = new Map<string, SegmentResult>();
    const ctx: EvalContext = {
      view,
      now: input.now,
      distributions: input.distributions ?? EMPTY,
      member: (id) => results.get(id)?.member ?? stored.has(id),
      memberFlip: (id) => results.get(id)?.nextFlipAt ?? Infinity,
      self: false,
    };
    const order =
      ids === undefined
        ? this.segments
        : ids
            .map((id) => this.byId.get(id))
            .filter((i): i is number => i !== undefined)
            .sort((a, b) => a - b)
            .map((i) => this.segments[i] as CompiledSegment); // indexes come from byId
    const out: SegmentResult[] = [];
    for (const s of order) {
      ctx.self = stored.has(s.id); // exit bounds (hysteresis) apply to stored members
      const member = s.node.ev(ctx);
      const flip = s.node.flip(ctx);
      const r = {
        id: s.id,
        version: s.version.number,
        member,
        nextFlipAt: flip === Infinity ? null : flip,
      };
      results.set(s.id, r);
      out.push(r);
    }
    return out;
  }
}

/** The earliest `nextFlipAt` of some results (when to re-check this customer), or null. */
export function earliestFlip(results: readonly SegmentResult[]): number | null {
  let min: number | null = null;
  for (const r of results)
    if (r.nextFlipAt !== null && (min === null || r.nextFlipAt < min)) min = r.nextFlipAt;
  return min;
}

function versionOf(
  def: SegmentDefinition,
  previous: ReadonlyMap<string, VersionInfo> | undefined,
): VersionInfo {
  const prev = previous?.get(def.id);
  if (prev === undefined) return { hash: def.hash, number: 1 };
  return prev.hash === def.hash ? prev : { hash: def.hash, number: prev.number + 1 };
}

/**
 * Parses, validates and compiles segment files. Invalid files (and segments that reference an
 * unknown, invalid or cyclic segment) are left out and reported; the rest load.
 */
export function loadSegmentSet(
  files: readonly SegmentFile[],
  options: LoadOptions = {},
): { set: SegmentSet; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  let catalog = options.catalog ?? buildCatalog();
  const catalogFile = files.find((f) => f.file.endsWith(CATALOG_FILE));
  if (catalogFile !== undefined) {
    const parsed = parseCatalogFile(catalogFile);
    if (parsed.ok) catalog = buildCatalog(parsed.value);
    else problems.push(...parsed.problems);
  }
  const defs: SegmentDefinition[] = [];
  for (const f of files) {
    if (f === catalogFile) continue;
    const parsed = parseSegmentFile(f, catalog);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const dup = defs.find((d) => d.id === parsed.value.id);
    if (dup !== undefined) {
      problems.push({
        file: f.file,
        line: 1,
        column: 1,
        message: `segment id '${dup.id}' is already defined in ${dup.file}`,
      });
      continue;
    }
    defs.push(parsed.value);
  }
  const ordered = orderSegments(defs, problems);
  const compiled = ordered.map((def): CompiledSegment => ({
    id: def.id,
    name: def.name,
    description: def.description,
    file: def.file,
    version: versionOf(def, options.previous),
    definition: def,
    reads: [...conditionReads(def.rule)].sort(),
    dependsOn: [...new Set(def.segmentRefs.map((r) => r.id))],
    node: compileCondition(def.rule),
  }));
  return { set: new SegmentSet(compiled), problems };
}
