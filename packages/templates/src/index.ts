/**
 * @pulse/templates: email templates as data. Handlebars with Intl helpers, layered conditional
 * blocks, send-time recommendations; everything validated at load with file and line. Pure.
 */
export { loadTemplateSet } from './template-set';
export type { RenderData, RenderedBody, TemplateFile, TemplateSet } from './template-set';
export {
  HELPERS,
  BUILTIN_HELPERS,
  money,
  number,
  date,
  firstName,
  pluralize,
  productList,
} from './helpers';
export type { ListedProduct, RenderLocale } from './helpers';
export { parseCondition, evaluate, inCategory, durationMs } from './conditions';
export type { Comparison, Condition, ConditionContext } from './conditions';
export { parseBlockFile } from './blocks';
export type { BlockDef, BlockVariant } from './blocks';
export { parseCatalog, checkCatalog } from './catalog';
export type { Product } from './catalog';
export { recommend } from './recommendations';
export type {
  Recommendation,
  RecommendationProfile,
  RecommendationReason,
  RecommendOptions,
} from './recommendations';
export { htmlToText } from './html-to-text';
export { validateTemplate, ROOT_VARIABLES } from './validate';
export type { Known } from './validate';
export { formatProblem } from './problems';
export type { TemplateProblem } from './problems';
export {
  parseYamlTree,
  expectMap,
  expectSeq,
  entry,
  onlyKeys,
  required,
  stringOf,
  numberOf,
  scalarOf,
  fail,
} from './yaml-tree';
export type { MapEntry, MapNode, TreeNode } from './yaml-tree';
export { ProblemAt } from './problems';
export { mineCoPurchases } from './co-purchases';
export type { CoPurchaseOptions, OrderLines } from './co-purchases';
export { trackLinks, decodeAttribute, openPixelTag } from './tracking-links';
export type { LinkTracking } from './tracking-links';
