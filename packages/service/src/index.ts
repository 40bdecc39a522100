export { runService, EXIT } from './run-service';
export type { RunServiceOptions } from './run-service';
export { createServiceRuntime } from './runtime';
export type {
  RunningService,
  ServiceContext,
  ServiceRuntime,
  ServiceRuntimeOptions,
  StartedService,
} from './runtime';
export { closeAll, createClose, once } from './close-all';
export type { CloseAllOptions, CloseReport, CloseStep } from './close-all';
export { runReadiness } from './readiness';
export type { CheckOutcome, ReadinessCheck, ReadinessReport } from './readiness';
export { createHttpHandler } from './http';
export type { HttpHandler, HttpHandlerOptions, HttpState, Phase } from './http';
export { LOG_LEVELS, serviceConfigSpec, serviceEnvPrefix } from './service-config';
export type { ServiceConfigOptions } from './service-config';
