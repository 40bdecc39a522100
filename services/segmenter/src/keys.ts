import { createKeyspace, type Keyspace } from '@pulse/redis';

/**
 * The only place the segmenter's Redis keys are built.
 *
 * Per customer (one hash tag, so the transition script touches them together on Redis Cluster):
 * - `prof` hash: `v` last applied profile version, `snap` that ProfileSnapshot as JSON
 * - `seg`  hash: segment id → `member|segment version|since ms|next flip ms or ''`
 * - `hist` list: membership changes as JSON, newest first, capped
 * - `out`  list: SegmentChange JSON written by a transition and not yet published (outbox)
 *
 * Shared, each its own key (decision 4: idempotent ops, never in a cross-customer transaction):
 * - `members:{segment}` zset customer → entered at; `sizes:{segment}` hash hour → size
 * - `dist:{metric}` zset customer → current metric value (the live population distribution)
 * - `defs` hash segment id → `{hash, number}` JSON (versions across restarts)
 * - `versions:{segment}` hash version number → `{hash, number, file, loadedAt}` JSON (every
 *   version ever loaded, so an edit keeps the old one readable)
 * - `removed` hash segment id → RemovalRecord JSON (segments whose file was deleted: the
 *   background removal's state, so a restart resumes it)
 */
export interface SegmenterKeys {
  readonly keyspace: Keyspace;
  customer(customerId: string): [prof: string, seg: string, hist: string, out: string];
  members(segmentId: string): string;
  sizes(segmentId: string): string;
  distribution(metricId: string): string;
  definitions(): string;
  versions(segmentId: string): string;
  removals(): string;
  /** SCAN pattern of every customer's `prof` key, and the customer id of one such key. */
  profilePattern(): string;
  customerOfProfileKey(key: string): string | undefined;
}

export function createSegmenterKeys(prefix: string): SegmenterKeys {
  const keyspace = createKeyspace(prefix);
  return {
    keyspace,
    customer: (id) => [
      keyspace.tagged(id, 'prof'),
      keyspace.tagged(id, 'seg'),
      keyspace.tagged(id, 'hist'),
      keyspace.tagged(id, 'out'),
    ],
    members: (segmentId) => keyspace.tagged(`seg:${segmentId}`, 'members'),
    sizes: (segmentId) => keyspace.tagged(`seg:${segmentId}`, 'sizes'),
    distribution: (metricId) => keyspace.tagged(`dist:${metricId}`, 'values'),
    definitions: () => keyspace.plain('defs'),
    versions: (segmentId) => keyspace.tagged(`seg:${segmentId}`, 'versions'),
    removals: () => keyspace.plain('removed'),
    profilePattern: () => `${keyspace.prefix}:{*}:prof`,
    customerOfProfileKey: (key) => {
      const head = `${keyspace.prefix}:{`;
      if (!key.startsWith(head) || !key.endsWith('}:prof')) return undefined;
      return key.slice(head.length, -'}:prof'.length);
    },
  };
}
