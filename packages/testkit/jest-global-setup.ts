// Jest globalSetup of the integration project: find the stack (environment, else
// testcontainers, else fail with one line saying how to start it), then check that every
// component really answers before any test runs.
import { assertStackAnswers, defaultResolveStackDeps, resolveTestStack } from './src/global-setup';

/** Where the teardown finds the containers to remove (Jest's way: a global of this process). */
export const STOP_KEY = '__pulseTestkitStopStack';

export default async function globalSetup(): Promise<void> {
  const resolved = await resolveTestStack(defaultResolveStackDeps());
  if (resolved.stop) Reflect.set(globalThis, STOP_KEY, resolved.stop);
  await assertStackAnswers(resolved.stack);
}
