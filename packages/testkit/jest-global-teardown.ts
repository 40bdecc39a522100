// Jest globalTeardown of the integration project: removes the containers that the global
// setup started (nothing to do when the stack came from the environment).
import { STOP_KEY } from './jest-global-setup';

export default async function globalTeardown(): Promise<void> {
  const stop: unknown = Reflect.get(globalThis, STOP_KEY);
  if (typeof stop === 'function') await stop();
}
