import path from 'node:path';
import { loadScript } from '@pulse/redis';
import type { Script } from '@pulse/redis';

/** packages/scheduler/scripts, from src/ (tests) and dist/ (built) alike. */
const SCRIPT_DIR = path.resolve(__dirname, '..', 'scripts');

/** The scheduler's Lua scripts: one state transition each (see each file's header). */
export interface SchedulerScripts {
  schedule: Script;
  cancel: Script;
  claim: Script;
  requeueExpired: Script;
  ack: Script;
}

export function loadSchedulerScripts(dir = SCRIPT_DIR): SchedulerScripts {
  return {
    schedule: loadScript('schedule', dir),
    cancel: loadScript('cancel', dir),
    claim: loadScript('claim', dir),
    requeueExpired: loadScript('requeue-expired', dir),
    ack: loadScript('ack', dir),
  };
}
