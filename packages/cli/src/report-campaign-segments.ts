import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The group of a campaign triggered by an event rather than a segment (e.g. Cart Abandoned). */
export const eventGroup = (eventType: string): string => `event: ${eventType}`;

/** The group of sends whose campaign file is unknown and whose trigger is not on the topic. */
export const UNKNOWN_SEGMENT = '(unknown segment)';

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const field = (node: unknown, key: string): unknown =>
  typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;

/**
 * Campaign id → the segment it targets, from the campaign files (`trigger.segment`; a campaign
 * triggered by an event is grouped as `event: <type>`). Only `id` and `trigger` are read — the
 * renderer validates the rest — so a file the renderer would refuse for another reason still
 * names its segment. Files without an id or trigger are listed as problems, not thrown.
 */
export function campaignSegments(dir: string): {
  segments: Map<string, string>;
  problems: string[];
} {
  const segments = new Map<string, string>();
  const problems: string[] = [];
  if (!existsSync(dir)) return { segments, problems: [`${dir}: no campaign folder`] };
  for (const file of yamlFiles(dir)) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    const id = field(doc, 'id');
    const trigger = field(doc, 'trigger');
    const segment = field(trigger, 'segment');
    const event = field(trigger, 'event');
    if (typeof id !== 'string') problems.push(`${file}: no campaign id`);
    else if (typeof segment === 'string') segments.set(id, segment);
    else if (typeof event === 'string') segments.set(id, eventGroup(event));
    else problems.push(`${file}: trigger names no segment or event`);
  }
  return { segments, problems };
}
