import { readFileSync } from 'node:fs';
import { PulseError } from '@pulse/core';
import { LineCounter, isMap, isScalar, parseDocument, type Node, type YAMLMap } from 'yaml';
import type { DuplicateConfig } from './duplicate-score';

const WEIGHTS = ['name', 'phone', 'postcode', 'email'] as const;
const LIMITS = ['mergeAt', 'reviewAt', 'minNameSimilarity'] as const;

/**
 * Parses config/identity.yaml: every number in [0, 1] (weights in [0, 1] too), reviewAt ≤
 * mergeAt, no unknown keys. Problems come back with their line and column.
 */
export function parseIdentityConfig(text: string): {
  config?: DuplicateConfig;
  problems: { line: number; column: number; message: string }[];
} {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const problems = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.code };
  });
  if (problems.length > 0) return { problems };
  const at = (node: unknown, message: string) => {
    const pos = lines.linePos((node as Node | null)?.range?.[0] ?? 0);
    problems.push({ line: pos.line, column: pos.col, message });
  };
  const numbers = (map: YAMLMap, keys: readonly string[], what: string) => {
    const out: Record<string, number> = {};
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!keys.includes(key)) {
        at(pair.key, `unknown key '${key}' in ${what} (allowed: ${keys.join(', ')})`);
        continue;
      }
      const v = isScalar(pair.value) ? pair.value.value : undefined;
      if (typeof v !== 'number' || v < 0 || v > 1)
        at(pair.value, `${what}.${key} must be a number from 0 to 1`);
      else out[key] = v;
    }
    for (const key of keys) if (!map.has(key)) at(map, `${what} needs '${key}'`);
    return out;
  };
  const root = doc.contents;
  const dup = isMap(root) ? root.get('duplicates', true) : undefined;
  if (!isMap(dup)) {
    at(
      root,
      "the identity file holds 'duplicates:' (mergeAt, reviewAt, minNameSimilarity, weights)",
    );
    return { problems };
  }
  const weightsNode = dup.get('weights', true);
  const limitsMap = dup.clone() as YAMLMap;
  limitsMap.delete('weights');
  const limits = numbers(limitsMap, LIMITS, 'duplicates');
  if (!isMap(weightsNode)) at(dup, 'duplicates needs weights: { name, phone, postcode, email }');
  const weights = isMap(weightsNode) ? numbers(weightsNode, WEIGHTS, 'duplicates.weights') : {};
  if ((limits.reviewAt ?? 0) > (limits.mergeAt ?? 1))
    at(dup.get('reviewAt', true), 'reviewAt must not exceed mergeAt');
  if (problems.length > 0) return { problems };
  return {
    problems,
    config: {
      mergeAt: limits.mergeAt as number, // all present: checked above
      reviewAt: limits.reviewAt as number,
      minNameSimilarity: limits.minNameSimilarity as number,
      weights: weights as DuplicateConfig['weights'],
    },
  };
}

/** Reads and validates the identity file; throws one configuration error listing every problem. */
export function loadIdentityConfig(file: string): DuplicateConfig {
  const { config, problems } = parseIdentityConfig(readFileSync(file, 'utf8'));
  if (!config)
    throw new PulseError(
      'PROFILE_IDENTITY_INVALID',
      `invalid identity file (set PROFILE_IDENTITY_FILE or fix it):\n${problems
        .map((p) => `${file}:${p.line}:${p.column}: ${p.message}`)
        .join('\n')}`,
    );
  return config;
}
