export { runDemo, DEMO_GROUP } from './demo';
export type { DemoOptions, DemoResult } from './demo';
export { demoConfigSpec } from './demo-config';
export { demoEvents, poisonBytes } from './demo-events';
export { consoleOutput } from './output';
export type { Output } from './output';
