/**
 * `pulse simulate`'s core: a scripted customer journey through ingest, the profile builder, the
 * cart timer and the segmenter (their pure code, state in memory) with a virtual clock.
 */
export { formatSimulation, virtualTime } from './format';
export type { SimulatedChange } from './memory-segments';
export { parseInstant, parseScenario } from './scenario';
export type { Expectation, Scenario, ScenarioResult, ScenarioStep, StepAction } from './scenario';
export { simulate } from './simulate';
export type { SimulateOptions, SimulatedEvent, SimulationResult } from './simulate';
export { runScenarioFile } from './run-file';
export type { ScenarioRun } from './run-file';
