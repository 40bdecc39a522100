import { describe, expect, it } from '@jest/globals';
import { createMetrics } from './metrics';

describe('instruments', () => {
  it('registers instruments on the service registry and reuses one of the same name', async () => {
    const metrics = createMetrics({ service: 'demo', collectDefaults: false });
    const a = metrics.counter({
      name: metrics.name('things', 'total'),
      help: 'Things.',
      labelNames: ['kind'],
    });
    const b = metrics.counter({
      name: metrics.name('things', 'total'),
      help: 'Things.',
      labelNames: ['kind'],
    });
    a.labels('x').inc();
    b.inc({ kind: 'x' }, 2);
    metrics
      .histogram({ name: metrics.name('wait', 'seconds'), help: 'Wait.', buckets: [1] })
      .observe(0.5);
    metrics.gauge({ name: metrics.name('depth', 'messages'), help: 'Depth.' }).set(7);
    expect(b).toBe(a);
    const text = await metrics.metricsText();
    expect(text).toContain('pulse_demo_things_total{kind="x"} 3');
    expect(text).toContain('pulse_demo_wait_seconds_count 1');
    expect(text).toContain('pulse_demo_depth_messages 7');
  });

  it('records nothing and registers nothing when metrics are off', async () => {
    const metrics = createMetrics({ service: 'demo', collectDefaults: false, enabled: false });
    expect(metrics.enabled).toBe(false);
    const counter = metrics.counter({
      name: metrics.name('things', 'total'),
      help: 'Things.',
      labelNames: ['kind'],
    });
    counter.labels('x').inc();
    counter.inc({ kind: 'y' });
    const histogram = metrics.histogram({ name: metrics.name('wait', 'seconds'), help: 'Wait.' });
    histogram.observe(1);
    expect(histogram.startTimer()()).toBe(0);
    const gauge = metrics.gauge({ name: metrics.name('depth', 'messages'), help: 'Depth.' });
    gauge.labels().set(3);
    gauge.inc();
    expect(metrics.registry.getMetricsAsArray()).toHaveLength(0);
    expect((await counter.get()).values).toHaveLength(0);
    expect(await metrics.metricsText()).toBe('');
  });
});
