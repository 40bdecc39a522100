import { readFileSync } from 'node:fs';
import { parseYamlTree, type TreeNode } from '@pulse/rules';

/** One configured destination of segment entries and exits. */
export interface WebhookDestination {
  id: string;
  url: string;
  secret: string;
  /** Segment ids delivered; `'*'` = every segment. */
  segments: readonly string[] | '*';
  /** Which changes: both by default. */
  changes: readonly ('entered' | 'exited')[];
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

function plain(node: TreeNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(plain);
  return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.value)]));
}

function lineOf(node: TreeNode, index: number): number {
  return node.kind === 'seq' ? (node.items[index]?.line ?? node.line) : node.line;
}

/**
 * Parses the webhooks file (config/webhooks.example.yaml shows the shape). Every problem is
 * collected as `file:line: message`; `secret_env` names an environment variable so the file
 * itself may hold no secret.
 */
export function parseWebhooks(
  file: string,
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { destinations: WebhookDestination[]; problems: string[] } {
  const { tree, problems: syntax } = parseYamlTree(file, text);
  if (!tree)
    return { destinations: [], problems: syntax.map((p) => `${file}:${p.line}: ${p.message}`) };
  const problems: string[] = [];
  const root = tree.kind === 'map' ? tree.entries.find((e) => e.key === 'destinations') : undefined;
  if (!root || root.value.kind !== 'seq')
    return { destinations: [], problems: [`${file}:${tree.line}: expected destinations: [...]`] };
  const destinations: WebhookDestination[] = [];
  (plain(root.value) as unknown[]).forEach((raw, i) => {
    const at = `${file}:${lineOf(root.value, i)}`;
    const d = (raw ?? {}) as Record<string, unknown>;
    const bad = (msg: string) => problems.push(`${at}: ${msg}`);
    const known = ['id', 'url', 'secret', 'secret_env', 'segments', 'changes'];
    for (const k of Object.keys(d)) if (!known.includes(k)) bad(`unknown key '${k}'`);
    const id = String(d.id ?? '');
    if (!ID.test(id)) bad(`id '${id}' must be lowercase letters, digits and dashes`);
    if (destinations.some((x) => x.id === id)) bad(`id '${id}' is used twice`);
    let url = '';
    try {
      const u = new URL(String(d.url ?? ''));
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
      url = u.toString();
    } catch {
      bad(`url '${String(d.url ?? '')}' must be an http(s) URL`);
    }
    const secretEnv = typeof d.secret_env === 'string' ? d.secret_env : undefined;
    const secret = secretEnv ? env[secretEnv] : typeof d.secret === 'string' ? d.secret : undefined;
    if (!secret)
      bad(secretEnv ? `secret_env ${secretEnv} is not set` : 'needs secret or secret_env');
    const segs = d.segments;
    const segments =
      segs === '*'
        ? '*'
        : Array.isArray(segs) && segs.length > 0 && segs.every((s) => typeof s === 'string')
          ? (segs as string[])
          : undefined;
    if (!segments) bad("segments must be '*' or a list of segment ids");
    const ch = d.changes ?? ['entered', 'exited'];
    const changes =
      Array.isArray(ch) && ch.length > 0 && ch.every((c) => c === 'entered' || c === 'exited')
        ? (ch as ('entered' | 'exited')[])
        : undefined;
    if (!changes) bad('changes must list entered and/or exited');
    if (segments && changes && secret && url)
      destinations.push({ id, url, secret, segments, changes });
  });
  return { destinations: problems.length > 0 ? [] : destinations, problems };
}

/** Reads and parses the file; throws one error listing every problem (config fails at start). */
export function loadWebhooks(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): WebhookDestination[] {
  const { destinations, problems } = parseWebhooks(file, readFileSync(file, 'utf8'), env);
  if (problems.length > 0) throw new Error(`invalid webhooks file:\n${problems.join('\n')}`);
  return destinations;
}

/** The destinations a change goes to. */
export function destinationsFor(
  all: readonly WebhookDestination[],
  change: { segmentId: string; change: 'entered' | 'exited' },
): WebhookDestination[] {
  return all.filter(
    (d) =>
      (d.segments === '*' || d.segments.includes(change.segmentId)) &&
      d.changes.includes(change.change),
  );
}
