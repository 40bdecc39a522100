export { runDemo, DEMO_GROUP } from './demo';
export type { DemoOptions, DemoResult } from './demo';
export { demoConfigSpec } from './demo-config';
export { demoEvents, poisonBytes } from './demo-events';
export { consoleOutput } from './output';
export type { Output } from './output';
export { runImport, printImportOutcome, importExitCode } from './import-command';
export type {
  ImportOutcome,
  ImportReport,
  ImportLineError,
  RunImportOptions,
} from './import-command';
export { parseImportArgs, IMPORT_USAGE } from './import-args';
export type { ImportArgs, ImportKind, ImportFormat } from './import-args';
export { importConfigSpec } from './import-config';
export { importMain } from './import-main';
export { ProgressCounter, formatProgress } from './import-progress';
export type { ProgressSnapshot } from './import-progress';
export { dlqMain, runDlq } from './dlq-main';
export { DLQ_USAGE, parseDlqArgs } from './dlq-args';
export type { DlqArgs, ParsedDlqArgs } from './dlq-args';
export { listDlq, replayDlq, showDlq } from './dlq-command';
export type {
  DeadLetterView,
  DlqTopicSummary,
  ReplayDlqOptions,
  ReplayResult,
  ShowDlqOptions,
} from './dlq-command';
export { connectDlqAdmin } from './dlq-admin';
export type { DlqAdmin } from './dlq-admin';
export {
  parseDlqTopicName,
  pendingRanges,
  replayGroupId,
  REPLAYED_FROM_HEADER,
} from './dlq-topics';
export type { DlqTopicName, PartitionState, PendingRange } from './dlq-topics';
export { demoServices, demoTopics, PORT_OFFSETS } from './store/services';
export type { DemoPlan, DemoServiceName } from './store/services';
export { portsInUse, renderLogLine, supervise } from './store/supervisor';
export type { ServiceProcess, Supervisor } from './store/supervisor';
export { createRng } from './store/rng';
export type { Rng } from './store/rng';
export { generateCustomers } from './store/customers';
export type { Customer, Persona } from './store/customers';
export { journey } from './store/journeys';
export type { Step } from './store/journeys';
export { loadCatalog } from './store/catalog';
export type { Product } from './store/catalog';
export { previewMain } from './preview-main';
export { sendTestMain } from './send-test-main';
export { parsePreviewArgs, PREVIEW_USAGE, SEND_TEST_USAGE } from './preview-args';
export type { PreviewArgs, ParsedPreviewArgs } from './preview-args';
export { fetchPreview, previewRequest, writePreview, PreviewError } from './preview-client';
export type { RenderedPreview } from './preview-client';
export { sendTestEmail } from './send-test-mail';
export { previewConfigSpec } from './preview-config';
export {
  suppressMain,
  importSuppressions,
  parseSuppressArgs,
  SUPPRESS_USAGE,
} from './suppress-main';
export type { SuppressArgs, SuppressReport } from './suppress-main';
export { campaignMain, campaignCommand, CAMPAIGN_USAGE } from './campaign-main';
export type { CampaignCommand } from './campaign-main';
