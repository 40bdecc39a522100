import {
  Counter,
  Gauge,
  Histogram,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Registry,
} from 'prom-client';

/*
 * Instruments for `PULSE_METRICS=off`: the same classes as prom-client's (so code typed against
 * them runs unchanged), registered nowhere, whose recording methods do nothing. They exist to
 * measure what metrics cost (`pnpm bench:e2e --metrics off`) and for operators who scrape
 * nothing; they never throw.
 */

const noop = (): void => undefined;
const stopTimer = (): number => 0;

const OFF_COUNTER_CHILD: Counter.Internal = { inc: noop };

class OffCounter<T extends string> extends Counter<T> {
  constructor(config: CounterConfiguration<T>) {
    super(config);
    this.inc = noop; // prom-client assigns inc in its constructor, over any prototype method
  }
  override labels(): Counter.Internal {
    return OFF_COUNTER_CHILD;
  }
}

const OFF_GAUGE_CHILD: Gauge.Internal<string> = {
  inc: noop,
  dec: noop,
  set: noop,
  setToCurrentTime: noop,
  startTimer: () => stopTimer,
};

class OffGauge<T extends string> extends Gauge<T> {
  override inc(): void {}
  override dec(): void {}
  override set(): void {}
  override setToCurrentTime(): void {}
  override startTimer(): (labels?: Partial<Record<T, string | number>>) => number {
    return stopTimer;
  }
  override labels(): Gauge.Internal<T> {
    return OFF_GAUGE_CHILD as Gauge.Internal<T>;
  }
}

const OFF_HISTOGRAM_CHILD: Histogram.Internal<string> = {
  observe: noop,
  startTimer: () => stopTimer,
};

class OffHistogram<T extends string> extends Histogram<T> {
  constructor(config: HistogramConfiguration<T>) {
    super(config);
    this.observe = noop; // assigned by prom-client's constructor, like Counter's inc
  }
  override startTimer(): (labels?: Partial<Record<T, string | number>>) => number {
    return stopTimer;
  }
  override labels(): Histogram.Internal<T> {
    return OFF_HISTOGRAM_CHILD as Histogram.Internal<T>;
  }
}

/** Creates a service's instruments: registered on its registry, or inert when metrics are off. */
export interface Instruments {
  counter<T extends string>(config: Omit<CounterConfiguration<T>, 'registers'>): Counter<T>;
  gauge<T extends string>(config: Omit<GaugeConfiguration<T>, 'registers'>): Gauge<T>;
  histogram<T extends string>(config: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T>;
}

/**
 * Instruments on `registry` (an instrument of the same name already there is reused, so two
 * consumers of one process share it), or inert ones when `enabled` is false.
 */
export function createInstruments(registry: Registry, enabled: boolean): Instruments {
  const existing = <M>(name: string): M | undefined =>
    registry.getSingleMetric(name) as M | undefined;
  if (!enabled) {
    return {
      counter: (config) => new OffCounter({ ...config, registers: [] }),
      gauge: (config) => new OffGauge({ ...config, registers: [] }),
      histogram: (config) => new OffHistogram({ ...config, registers: [] }),
    };
  }
  return {
    counter: (config) =>
      existing<Counter<never>>(config.name) ?? new Counter({ ...config, registers: [registry] }),
    gauge: (config) =>
      existing<Gauge<never>>(config.name) ?? new Gauge({ ...config, registers: [registry] }),
    histogram: (config) =>
      existing<Histogram<never>>(config.name) ??
      new Histogram({ ...config, registers: [registry] }),
  };
}
