import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineScript, type Script } from '@pulse/redis';

const DIR = path.resolve(__dirname, '..', 'scripts');

/** Helpers prepended to a script besides common.lua (Lua has no includes in EVAL). */
const HELPERS: Readonly<Record<string, readonly string[]>> = {
  'apply-ops': ['orders', 'sessions'],
};

function source(name: string): string {
  return ['common', ...(HELPERS[name] ?? []), name]
    .map((part) => readFileSync(path.join(DIR, `${part}.lua`), 'utf8'))
    .join('');
}

function load(name: string): Script {
  return defineScript(name, source(name));
}

/** profile-builder's Lua transitions (scripts/*.lua, each prefixed with common.lua and its helpers). */
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
  const sources: Record<string, string> = {};
  for (const name of ['apply-ops', 'merge-mark', 'merge-drop', 'read-profile'])
    sources[name] = source(name);
  return { ...scripts, sources };
}
