/**
 * @pulse/rules: the segment rule language. Pure (no I/O): YAML text in, compiled evaluators
 * out, plus the aggregate fold the profile builder runs for every rule's event windows.
 */
export type {
  AggregateSpec,
  Condition,
  Metric,
  NumberCmp,
  PercentileTest,
  PropertyFilter,
  Scalar,
  SegmentDefinition,
  ValueCmp,
  ValueType,
  Window,
} from './ast';
export {
  MAX_ENTRIES,
  aggregateId,
  aggregateSpec,
  emptyAggregate,
  foldAggregate,
  foldAggregates,
  matchesAggregate,
  parseAggregate,
  toAggregateEvent,
} from './aggregates';
export type { AggregateEntry, AggregateEvent, AggregateState } from './aggregates';
export { buildCatalog } from './catalog';
export type { Catalog, CatalogExtension } from './catalog';
export { canonicalJson, contentHash, stableBucket } from './canonical';
export { metricValue } from './compile';
export { distributionFromCuts, distributionFromValues } from './distribution';
export type { Distribution, Distributions } from './distribution';
export { parseDuration, periodStart, nextPeriodStart } from './duration';
export { parseCatalogFile, parseSegmentFile } from './parse-file';
export type { ParseResult, SegmentFile } from './parse-file';
export { rfmMetrics } from './parse-distribution';
export { formatProblem } from './problems';
export type { RuleProblem } from './problems';
export { ProfileView } from './profile-view';
export { CATALOG_FILE, SegmentSet, earliestFlip, loadSegmentSet } from './segment-set';
export type {
  CompiledSegment,
  EvaluationInput,
  LoadOptions,
  SegmentResult,
  VersionInfo,
} from './segment-set';
export { ev, snapshotFrom } from './snapshot-from';
export { parseYamlTree } from './yaml-tree';
export type { MapEntry, TreeNode } from './yaml-tree';
export type { SnapshotInput } from './snapshot-from';
