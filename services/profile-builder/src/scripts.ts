import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineScript, type Script } from '@pulse/redis';

const DIR = path.resolve(__dirname, '..', 'scripts');

function load(name: string): Script {
  const common = readFileSync(path.join(DIR, 'common.lua'), 'utf8');
  return defineScript(name, common + readFileSync(path.join(DIR, `${name}.lua`), 'utf8'));
}

/** profile-builder's Lua transitions (scripts/*.lua, each prefixed with common.lua). */
export interface ProfileScripts {
  applyOps: Script;
  mergeMark: Script;
  mergeDrop: Script;
  readProfile: Script;
  /** Sources by sha, for SCRIPT LOAD. */
  sources: Record<string, string>;
}

export function loadProfileScripts(): ProfileScripts {
  const scripts = {
    applyOps: load('apply-ops'),
    mergeMark: load('merge-mark'),
    mergeDrop: load('merge-drop'),
    readProfile: load('read-profile'),
  };
  const common = readFileSync(path.join(DIR, 'common.lua'), 'utf8');
  const sources: Record<string, string> = {};
  for (const name of ['apply-ops', 'merge-mark', 'merge-drop', 'read-profile']) {
    const source = common + readFileSync(path.join(DIR, `${name}.lua`), 'utf8');
    sources[name] = source;
  }
  return { ...scripts, sources };
}
