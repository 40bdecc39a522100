import { watch, type FSWatcher } from 'node:fs';
import type { Clock, Logger } from '@pulse/core';
import {
  formatProblem,
  loadSegmentSet,
  type SegmentFile,
  type SegmentSet,
  type VersionInfo,
} from '@pulse/rules';
import type { RemovalRecord } from './removal-store';
import { readSegmentFiles } from './segment-files';
import type { RemovalProgress, SegmentRemover } from './segment-removal';
import type { SegmentStore } from './store';

/** Progress of the background re-evaluation that follows a definition change. */
export interface Reevaluation {
  state: 'idle' | 'running' | 'done' | 'failed';
  /** Segments whose version changed (or that appeared) and started it. */
  segments: string[];
  done: number;
  total: number;
  startedAt: number | null;
  finishedAt: number | null;
  error?: string;
}

export interface SegmentsNow {
  set: SegmentSet;
  /** `file:line:col: message`; for a file that loaded before, its previous version keeps running. */
  problems: string[];
  /** Files whose edit is invalid and whose previous version is still in use. */
  keptPrevious: string[];
  reevaluation: Reevaluation;
  /** Segments waiting for the profile builder to backfill their rule aggregates. */
  waitingForAggregates: string[];
  /** Exits of the members of deleted segments, in the background. */
  removal: RemovalProgress;
}

export interface ReloadOptions {
  dir: string;
  store: SegmentStore;
  logger: Logger;
  clock: Clock;
  /** Re-evaluates one stored profile against the current set (Processor.reevaluate). */
  reevaluate(customerId: string): Promise<unknown>;
  /** The new set goes live (Processor.useSet). */
  activate(set: SegmentSet): void;
  /** Exits of deleted segments' members (runs after `resume()` at start, then on each reload). */
  remover: SegmentRemover;
  /**
   * Segments of `set` that must not decide yet (rule aggregates not backfilled, see
   * aggregate-readiness.ts); looked at on each reload and every `readinessPollMs`.
   */
  held?(set: SegmentSet): Promise<ReadonlySet<string>>;
  /** Those segments go on hold / are released (Processor.hold). */
  hold?(segmentIds: ReadonlySet<string>): void;
  readinessPollMs?: number;
  progress?(done: number, total: number): void;
  /** Quiet time after a file event before reading the directory (editors write in bursts). */
  debounceMs?: number;
  /** Profiles re-evaluated at once; small so live batches interleave. */
  concurrency?: number;
}

const changedIds = (before: SegmentSet | undefined, after: SegmentSet): string[] =>
  after.segments.filter((s) => before?.get(s.id)?.version.hash !== s.version.hash).map((s) => s.id);

/**
 * The live segment definitions: loaded at start and again whenever `dir` changes. An edited file
 * gets a new version (content hash, number + 1; every version kept in the store), goes live at
 * once, and all stored profiles are re-evaluated in the background (cause `definition`), with
 * progress. An invalid edit is reported with file:line and the file's last good text keeps
 * running, so a bad save never takes a segment (or the service) down.
 */
export function createSegmentReloader(options: ReloadOptions) {
  const { store, logger, clock } = options;
  const lastGood = new Map<string, string>();
  let generation = 0;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reloading: Promise<void> = Promise.resolve();
  let now: SegmentsNow | undefined;
  let running: Promise<void> = Promise.resolve();
  let atStart: RemovalRecord[] = [];
  let held: ReadonlySet<string> = new Set();
  let poll: NodeJS.Timeout | undefined;

  /** Reads which segments wait for aggregates; returns those released since the last look. */
  async function nextHeld(
    set: SegmentSet,
  ): Promise<{ next: ReadonlySet<string>; released: string[] }> {
    const next = options.held ? await options.held(set) : new Set<string>();
    const released = [...held].filter((id) => !next.has(id) && set.get(id));
    for (const id of next)
      if (!held.has(id))
        logger.warn(
          { segmentId: id },
          'segment waits for the profile builder to backfill its aggregates',
        );
    return { next, released };
  }

  /** Starts a background re-evaluation of every stored profile for these segments. */
  function reevaluateInBackground(segments: string[]): void {
    generation += 1;
    const gen = generation;
    running = running.then(() => reevaluateAll(gen, segments));
  }

  async function refreshHeld(): Promise<void> {
    if (!now) return;
    const { next, released } = await nextHeld(now.set);
    held = next;
    options.hold?.(next);
    now.waitingForAggregates = [...next];
    if (released.length === 0) return;
    logger.info({ segments: released }, 'rule aggregates ready: segments decide again');
    reevaluateInBackground(released);
  }

  function load(files: readonly SegmentFile[], previous: ReadonlyMap<string, VersionInfo>) {
    const first = loadSegmentSet(files, { previous });
    const broken = new Set(first.problems.map((p) => p.file));
    const kept = [...broken].filter((f) => lastGood.has(f));
    const result =
      kept.length === 0
        ? first
        : loadSegmentSet(
            files.map((f) =>
              kept.includes(f.file) ? { ...f, text: lastGood.get(f.file) ?? f.text } : f,
            ),
            { previous },
          );
    for (const f of files) if (!broken.has(f.file)) lastGood.set(f.file, f.text);
    return { set: result.set, problems: first.problems.map(formatProblem), kept, broken };
  }

  async function reevaluateAll(gen: number, segments: string[]): Promise<void> {
    const r: Reevaluation = {
      state: 'running',
      segments,
      done: 0,
      total: 0,
      startedAt: clock.now(),
      finishedAt: null,
    };
    if (now) now.reevaluation = r;
    try {
      const ids: string[] = [];
      for await (const page of store.customerPages()) ids.push(...page);
      r.total = ids.length;
      options.progress?.(0, r.total);
      logger.info(
        { segments, profiles: r.total },
        'segments changed: re-evaluating stored profiles',
      );
      const step = options.concurrency ?? 16;
      for (let i = 0; i < ids.length; i += step) {
        if (gen !== generation) return; // a newer reload restarted it
        await Promise.all(ids.slice(i, i + step).map((id) => options.reevaluate(id)));
        r.done = Math.min(ids.length, i + step);
        options.progress?.(r.done, r.total);
        if (r.done % 1000 < step || r.done === r.total)
          logger.info({ done: r.done, total: r.total }, 're-evaluation progress');
        // Yield to the event loop so live batches and re-checks run in between.
        await new Promise((resolve) => setImmediate(resolve));
      }
      r.state = 'done';
      r.finishedAt = clock.now();
      logger.info({ segments, profiles: r.total }, 're-evaluation done');
    } catch (err) {
      r.state = 'failed';
      r.error = err instanceof Error ? err.message : String(err);
      logger.error({ err }, 're-evaluation failed (the next edit or restart runs it again)');
    }
  }

  async function reload(initial: boolean): Promise<void> {
    const before = now?.set;
    const previous = await store.versions();
    const files = readSegmentFiles(options.dir);
    const { set, problems, kept, broken } = load(files, previous);
    for (const problem of problems)
      logger.error(
        { problem },
        initial ? 'invalid segment file skipped' : 'invalid segment edit (previous version kept)',
      );
    await store.saveVersions(new Map(set.segments.map((s) => [s.id, s.version])));
    await store.recordVersions(
      set.segments.map((s) => ({ segmentId: s.id, file: s.file, ...s.version })),
      clock.now(),
    );
    const changed = changedIds(before, set);
    const reevaluation = now?.reevaluation ?? {
      state: 'idle',
      segments: [],
      done: 0,
      total: 0,
      startedAt: null,
      finishedAt: null,
    };
    const { next, released } = await nextHeld(set);
    held = next;
    now = {
      set,
      problems,
      keptPrevious: kept,
      reevaluation,
      waitingForAggregates: [...next],
      removal: options.remover.progress(),
    };
    // One step, so no batch sees the new set without its holds.
    options.hold?.(next);
    options.activate(set);
    const removing = await options.remover.reconcile(set, broken, files.length);
    const stillRemoved = (id: string) => !now?.set.get(id);
    if (initial) atStart = removing;
    else if (removing.length > 0)
      running = running.then(() => options.remover.run(removing, stillRemoved));
    logger.info(
      { segments: set.segments.length, problems: problems.length, changed: initial ? [] : changed },
      initial ? 'segments loaded' : 'segments reloaded',
    );
    // A deletion is the remover's (above): only new or edited segments need a re-evaluation,
    // and a segment waiting for its aggregates gets it once they are ready.
    const due = [...new Set([...changed.filter((id) => !held.has(id)), ...released])];
    if (initial || due.length === 0) return;
    reevaluateInBackground(due);
  }

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading
        .then(() => reload(false))
        .catch((err: unknown) =>
          logger.error({ err }, 'segment reload failed (previous set kept)'),
        );
    }, options.debounceMs ?? 200);
  };

  return {
    /** Loads the directory once (start-up). */
    start: () => reload(true),
    /** Resumes / starts the removals found at start (call once the processor is wired). */
    resume(): void {
      const records = atStart;
      atStart = [];
      running = running.then(() => options.remover.run(records, (id) => !now?.set.get(id)));
      if (options.held && !poll)
        poll = setInterval(() => {
          reloading = reloading
            .then(refreshHeld)
            .catch((err: unknown) => logger.warn({ err }, 'reading aggregate readiness failed'));
        }, options.readinessPollMs ?? 2_000);
    },
    /** Watches the directory; every change reloads it. */
    watch(): void {
      watcher ??= watch(options.dir, schedule);
      watcher.on('error', (err) => logger.error({ err }, 'watching segment files failed'));
    },
    /** Reloads now (what a file change does), resolving when the new set is live. */
    reload: () => (reloading = reloading.then(() => reload(false))),
    current(): SegmentsNow {
      if (!now) throw new Error('segments not loaded yet');
      return { ...now, removal: options.remover.progress() };
    },
    /** Stops watching and any re-evaluation in progress (idempotent). */
    async close(): Promise<void> {
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
      watcher = undefined;
      generation += 1;
      options.remover.close();
      await reloading.catch(() => undefined);
      await running;
    },
  };
}

export type SegmentReloader = ReturnType<typeof createSegmentReloader>;
