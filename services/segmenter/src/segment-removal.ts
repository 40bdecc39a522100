import type { Clock, Logger } from '@pulse/core';
import type { SegmentSet } from '@pulse/rules';
import type { RemovalRecord, RemovalStore } from './removal-store';
import type { SegmentStore } from './store';

/** Progress of the background exits that follow deleting segment files. */
export interface RemovalProgress {
  state: 'idle' | 'running' | 'done' | 'failed';
  /** Segments being removed. */
  segments: string[];
  /** Customers visited (over every removed segment) and how many there are to visit. */
  done: number;
  total: number;
  /** Exits written by this run. */
  exited: number;
  startedAt: number | null;
  finishedAt: number | null;
  error?: string;
}

export interface RemoverOptions {
  store: SegmentStore;
  removals: RemovalStore;
  logger: Logger;
  clock: Clock;
  /** Makes these customers leave the removed segment (Processor.removeSegment); returns exits. */
  remove(customerIds: readonly string[], record: RemovalRecord): Promise<number>;
  progress?(done: number, total: number): void;
  /** Customers per script pipeline; small so live batches interleave. */
  chunk?: number;
}

const IDLE: RemovalProgress = {
  state: 'idle',
  segments: [],
  done: 0,
  total: 0,
  exited: 0,
  startedAt: null,
  finishedAt: null,
};

/**
 * Deleting a segment file: its members get `exited` (cause `definition`, reason `segment
 * removed`, the last version), their membership and re-checks of it go, and its version history
 * marks the last version removed. The work is recorded in Redis (`removed` hash) before it
 * starts, so a restart resumes an unfinished removal; `remove-segment.lua` drops the membership
 * with the exit, so a customer visited twice exits once.
 */
export function createSegmentRemover(options: RemoverOptions) {
  const { store, removals, logger, clock } = options;
  let progress: RemovalProgress = { ...IDLE };
  let closed = false;

  /**
   * Compares the stored definitions with the loaded set: an id no longer defined — whose last
   * file is not merely invalid now — is recorded as removed; a removed id defined again is
   * restored. Returns the removals still to run (new ones and any a restart interrupted).
   */
  async function reconcile(
    set: SegmentSet,
    brokenFiles: ReadonlySet<string>,
    fileCount: number,
  ): Promise<RemovalRecord[]> {
    const [defined, records] = await Promise.all([store.versions(), removals.records()]);
    const known = new Map(records.map((r) => [r.segmentId, r]));
    await removals.drop(records.filter((r) => set.get(r.segmentId)).map((r) => r.segmentId));
    const gone = [...defined.keys()].filter((id) => !set.get(id) && !known.has(id));
    if (gone.length > 0 && fileCount === 0)
      logger.warn(
        { segments: gone },
        'the segment directory has no files: treated as a mistake, nothing removed',
      );
    else if (gone.length > 0) {
      const histories = await store.versionHistory(gone);
      const now = clock.now();
      for (const [i, segmentId] of gone.entries()) {
        const last = histories[i]?.at(-1);
        const version = defined.get(segmentId);
        if (!version || (last && brokenFiles.has(last.file))) continue; // invalid, not deleted
        const record: RemovalRecord = {
          segmentId,
          ...version,
          file: last?.file ?? '',
          removedAt: now,
          state: 'running',
          done: 0,
          total: 0,
          exited: 0,
          finishedAt: null,
        };
        await removals.save(record);
        await removals.markRemoved(segmentId, version.number, now);
        known.set(segmentId, record);
        logger.info({ segmentId, version: version.number }, 'segment file deleted: removing it');
      }
    }
    return [...known.values()].filter((r) => r.state === 'running' && !set.get(r.segmentId));
  }

  async function removeAll(
    record: RemovalRecord,
    ids: readonly string[],
    live: () => boolean,
  ): Promise<number> {
    const step = options.chunk ?? 64;
    let exited = 0;
    for (let i = 0; i < ids.length; i += step) {
      if (closed || !live()) return exited;
      const n = await options.remove(ids.slice(i, i + step), record);
      exited += n;
      progress.exited += n;
      progress.done += Math.min(step, ids.length - i);
      options.progress?.(progress.done, progress.total);
      // Yield to the event loop so live batches and re-checks run in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // A batch evaluated with the old set just before the reload may have settled a member after
    // its visit: one more pass over whoever the member set still holds.
    const { members } = await store.members(record.segmentId, 0, Number.MAX_SAFE_INTEGER);
    if (members.length > 0 && live()) {
      const n = await options.remove(
        members.map((m) => m.customerId),
        record,
      );
      exited += n;
      progress.exited += n;
    }
    return exited;
  }

  /**
   * Runs removals in the background (one after another). `stillRemoved` answers whether the
   * segment is still deleted (a restored file stops its removal).
   */
  async function run(
    records: readonly RemovalRecord[],
    stillRemoved: (segmentId: string) => boolean,
  ): Promise<void> {
    if (records.length === 0) return;
    progress = {
      ...IDLE,
      state: 'running',
      segments: records.map((r) => r.segmentId),
      startedAt: clock.now(),
    };
    try {
      const ids: string[] = [];
      for await (const page of store.customerPages()) ids.push(...page);
      progress.total = ids.length * records.length;
      options.progress?.(0, progress.total);
      for (const record of records) {
        const live = () => stillRemoved(record.segmentId);
        const exited = await removeAll(record, ids, live);
        if (closed) return;
        if (!live()) continue;
        const finished: RemovalRecord = {
          ...record,
          state: 'done',
          done: ids.length,
          total: ids.length,
          exited: record.exited + exited,
          finishedAt: clock.now(),
        };
        await removals.save(finished);
        logger.info(
          { segmentId: record.segmentId, profiles: ids.length, exited },
          'segment removed: members exited',
        );
      }
      progress.state = 'done';
      progress.finishedAt = clock.now();
    } catch (err) {
      progress.state = 'failed';
      progress.error = err instanceof Error ? err.message : String(err);
      logger.error({ err }, 'segment removal failed (the next reload or restart resumes it)');
    }
  }

  return {
    reconcile,
    run,
    progress: (): RemovalProgress => progress,
    /** Stops a removal in progress after its current chunk (a restart resumes it). */
    close(): void {
      closed = true;
    },
  };
}

export type SegmentRemover = ReturnType<typeof createSegmentRemover>;
