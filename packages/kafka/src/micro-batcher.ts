export interface MicroBatcherOptions<T> {
  /**
   * How long the first item of a batch may wait for company. 0: only for the items added in the
   * same turn of the event loop (a handler's burst), flushed on the next `setImmediate`.
   */
  lingerMs: number;
  /** A batch is flushed as soon as it holds this many items. */
  maxBatchSize: number;
  /**
   * Sends one batch. Settling each item (resolve/reject its caller) is the flusher's job; a
   * throw is reported to `onError` and the loop goes on.
   */
  flush: (items: T[]) => Promise<void>;
  onError?: (err: unknown) => void;
}

/**
 * Groups items into batches of up to `maxBatchSize`, each sent at most `lingerMs` after its
 * first item arrived, through ONE loop: a batch is flushed only after the previous flush
 * settled. That loop is the point: kafkajs's idempotent producer breaks (out-of-order sequence
 * numbers, kafkajs #598) when sends overlap. Items added during a flush go out right after it.
 */
export class MicroBatcher<T> {
  private readonly options: MicroBatcherOptions<T>;
  private queue: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: MicroBatcherOptions<T>) {
    if (options.maxBatchSize < 1) throw new RangeError('maxBatchSize must be at least 1');
    this.options = options;
  }

  /** Items waiting for a flush (not counting the batch in flight). */
  get pending(): number {
    return this.queue.length;
  }

  add(item: T): void {
    this.queue.push(item);
    if (this.loop) return;
    if (this.queue.length >= this.options.maxBatchSize) {
      this.start();
    } else if (this.options.lingerMs <= 0) {
      this.immediate ??= setImmediate(() => this.start());
    } else {
      this.timer ??= setTimeout(() => this.start(), this.options.lingerMs);
    }
  }

  /** Flushes everything queued now, without lingering, and resolves when all flushes settled. */
  async drain(): Promise<void> {
    while (this.loop || this.queue.length > 0) {
      this.start();
      await this.loop;
    }
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.loop) return;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      // An item added after run() saw an empty queue but before this callback would be stranded.
      if (this.queue.length > 0) this.start();
    });
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      try {
        await this.options.flush(batch);
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }
}
