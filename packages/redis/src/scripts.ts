import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PulseError } from '@pulse/core';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA (falling back to EVAL once when the server lost its script
 * cache). Scripts live in packages/redis/scripts/*.lua, each with a header listing KEYS, ARGV and
 * returns; time and ids enter as ARGV (no script calls TIME), so replays are deterministic.
 */
export interface Script {
  readonly name: string;
  readonly sha: string;
  run(client: Redis, keys: string[], args: (string | number)[]): Promise<unknown>;
}

const SCRIPT_DIR = path.resolve(__dirname, '..', 'scripts');

export function loadScript(name: string, dir = SCRIPT_DIR): Script {
  const file = path.join(dir, `${name}.lua`);
  const source = readFileSync(file, 'utf8');
  return defineScript(name, source);
}

export function defineScript(name: string, source: string): Script {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    name,
    sha,
    async run(client, keys, args) {
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
          return client.eval(source, keys.length, ...keys, ...args);
        }
        throw err;
      }
    },
  };
}

/** Negative script return codes → typed errors; each domain registers its codes here. */
export function scriptError(
  script: string,
  code: number,
  meaning: Record<number, string>,
): PulseError {
  return new PulseError('REDIS_SCRIPT_REFUSED', `${script}: ${meaning[code] ?? `code ${code}`}`, {
    details: { script, code },
  });
}
