import { watch, type FSWatcher } from 'node:fs';
import type { Clock, Logger } from '@pulse/core';
import {
  formatProblem,
  loadSegmentSet,
  type SegmentFile,
  type SegmentSet,
  type VersionInfo,
} from '@pulse/rules';
import { readSegmentFiles } from './segment-files';
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
    return { set: result.set, problems: first.problems.map(formatProblem), kept };
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
    const { set, problems, kept } = load(readSegmentFiles(options.dir), previous);
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
    const removed = before?.segments.some((s) => !set.get(s.id)) ?? false;
    const reevaluation = now?.reevaluation ?? {
      state: 'idle',
      segments: [],
      done: 0,
      total: 0,
      startedAt: null,
      finishedAt: null,
    };
    now = { set, problems, keptPrevious: kept, reevaluation };
    options.activate(set);
    logger.info(
      { segments: set.segments.length, problems: problems.length, changed: initial ? [] : changed },
      initial ? 'segments loaded' : 'segments reloaded',
    );
    if (initial || (changed.length === 0 && !removed)) return;
    generation += 1;
    const gen = generation;
    running = running.then(() => reevaluateAll(gen, changed));
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
    /** Watches the directory; every change reloads it. */
    watch(): void {
      watcher ??= watch(options.dir, schedule);
      watcher.on('error', (err) => logger.error({ err }, 'watching segment files failed'));
    },
    /** Reloads now (what a file change does), resolving when the new set is live. */
    reload: () => (reloading = reloading.then(() => reload(false))),
    current(): SegmentsNow {
      if (!now) throw new Error('segments not loaded yet');
      return now;
    },
    /** Stops watching and any re-evaluation in progress (idempotent). */
    async close(): Promise<void> {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
      generation += 1;
      await reloading.catch(() => undefined);
      await running;
    },
  };
}

export type SegmentReloader = ReturnType<typeof createSegmentReloader>;
