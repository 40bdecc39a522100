/**
 * @pulse/predict: predictive traits (churn risk, next best offer), the metrics that judge them,
 * and campaign results (attribution, uplift against the holdout). Pure: no I/O, no clock.
 */
export { DAY_MS, utcDay } from './history';
export type { CustomerHistory, EmailFact, OrderFact, OrderItem, ViewFact } from './history';
export { activityAt, activityOfProfile } from './activity';
export type { Activity, ProfileLike } from './activity';
export { CHURN_FEATURES, churnFeatures, hasOrdered, recencyDays } from './features';
export type { ChurnFeatureName } from './features';
export { fitLogistic, predictLogistic } from './logistic';
export type { FitOptions, LogisticFit } from './logistic';
export {
  calibrationTable,
  mean,
  precisionAtK,
  precisionRecallAt,
  recallAtK,
  rocAuc,
} from './metrics';
export type { CalibrationBin, ThresholdStats } from './metrics';
export { DEFAULT_REQUIREMENTS, examplesAt, timeSplit } from './churn-dataset';
export type { ChurnExample, SplitRequirements, SplitResult, TimeSplit } from './churn-dataset';
export {
  AT_RISK_THRESHOLD,
  CHURN_MODEL_FORMAT,
  CHURN_MODEL_FORMAT_VERSION,
  parseChurnModel,
  scoreChurn,
  trainChurnModel,
} from './churn-model';
export type { ChurnEvaluation, ChurnModel, ParsedModel } from './churn-model';
export {
  BROWSING_WEIGHT,
  OFFER_MODEL_FORMAT,
  OFFER_MODEL_FORMAT_VERSION,
  nextBestOffer,
  parseOfferModel,
  recommend,
  recommendPopular,
  trainOffers,
} from './recommender';
export type {
  NextBestOffer,
  OfferInput,
  OfferModel,
  OfferTraining,
  ParsedOfferModel,
} from './recommender';
export { evaluateChurnTruth, evaluateOffers } from './evaluate';
export type { ChurnTruthEvaluation, OfferEvaluation } from './evaluate';
export { campaignFacts, customerKey, historiesFromEvents } from './from-events';
export type { CampaignFacts, CampaignSend, EngagementEvent, OrderEvent } from './from-events';
export { attributeOrders, DEFAULT_WINDOW_MS, ordersInWindow } from './attribution';
export type { AttributedOrder, Touch } from './attribution';
export {
  groupStats,
  meanDifference,
  meanDifferenceStratum,
  pooledDifference,
  proportionDifference,
  proportionDifferenceStratum,
  wilson,
} from './uplift';
export type { GroupStats, Interval, Stratum } from './uplift';
export { armResults, campaignResults, upliftOf } from './campaign-results';
export type { ArmResult, ResultsOptions } from './campaign-results';
export { groupFigures, sendOutcomes } from './send-outcomes';
export type { GroupFigures, SendOutcome } from './send-outcomes';
export { segmentResults } from './segment-results';
export type { SegmentResult } from './segment-results';
export { memberAt, reconstructMemberships } from './segment-sizes';
export type { MemberInterval, MembershipFact, SegmentMembership } from './segment-sizes';
export {
  BUCKET_MS,
  bucketFor,
  HOURLY_UP_TO_MS,
  segmentSizeSeries,
  sizePoints,
  sizeSeriesFromHistory,
} from './segment-series';
export type { HourlySize, SizeBucket, SizePoint, SizeSeries } from './segment-series';
export { segmentEngagement, weekStart } from './segment-engagement';
export type { EngagementPoint } from './segment-engagement';
export { membershipFacts, segmentsByChangeId } from './from-segment-changes';
export type { SegmentChangeRecord } from './from-segment-changes';
