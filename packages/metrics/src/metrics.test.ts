import { describe, expect, it } from '@jest/globals';
import { Counter, Histogram } from 'prom-client';
import { BUCKETS } from './buckets';
import { createMetrics } from './metrics';
import { metricName, sanitizeServiceName } from './names';

describe('metric names', () => {
  it('are pulse_<service>_<what>_<unit> with the service sanitized', () => {
    expect(metricName('ingest', 'events_received', 'total')).toBe(
      'pulse_ingest_events_received_total',
    );
    expect(metricName('Profile-Builder', 'fold_duration', 'seconds')).toBe(
      'pulse_profile_builder_fold_duration_seconds',
    );
    expect(sanitizeServiceName('  cart--abandonment.timer ')).toBe('cart_abandonment_timer');
  });

  it('refuse what Prometheus or our convention would not accept', () => {
    expect(() => metricName('ingest', 'EventsReceived', 'total')).toThrow('must be snake_case');
    expect(() => metricName('ingest', 'events-received', 'total')).toThrow('must be snake_case');
    expect(() => metricName('ingest', 'latency_seconds', 'seconds')).toThrow(
      'already ends in its unit',
    );
    expect(() => metricName('ingest', 'sent_total', 'messages')).toThrow('reserved for counters');
    expect(() => metricName('ingest', 'lag', 'Seconds')).toThrow('unit "Seconds"');
    expect(() => sanitizeServiceName('9lives')).toThrow('must start with a letter');
    expect(() => sanitizeServiceName('--')).toThrow('must start with a letter');
  });
});

describe('createMetrics', () => {
  it('keeps the app registry free of default metrics and merges both for /metrics', async () => {
    const metrics = createMetrics({ service: 'ingest' });
    const counter = new Counter({
      name: metrics.name('events_received', 'total'),
      help: 'Events accepted by the API.',
      registers: [metrics.registry],
    });
    counter.inc(3);

    const app = await metrics.registry.metrics();
    expect(app).toContain('pulse_ingest_events_received_total 3');
    expect(app).not.toMatch(/^(process|nodejs)_/m);

    const text = await metrics.metricsText();
    expect(text).toContain('pulse_ingest_events_received_total 3');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_total_bytes /m);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('\n\n\n');
    expect(metrics.contentType).toContain('text/plain');
  });

  it('gives each service its own registries', async () => {
    const a = createMetrics({ service: 'a', collectDefaults: false });
    const b = createMetrics({ service: 'b', collectDefaults: false });
    new Counter({ name: a.name('x', 'total'), help: 'x', registers: [a.registry] }).inc();
    expect(await b.metricsText()).toBe('');
    expect(await a.metricsText()).toContain('pulse_a_x_total 1');
  });

  it('offers latency buckets from 0.5 ms to 10 s that prom-client accepts', async () => {
    expect(BUCKETS.latencySeconds[0]).toBe(0.0005);
    expect(BUCKETS.latencySeconds.at(-1)).toBe(10);
    const metrics = createMetrics({ service: 'svc', collectDefaults: false });
    const histogram = new Histogram({
      name: metrics.name('handle_duration', 'seconds'),
      help: 'Time to handle one record.',
      buckets: [...BUCKETS.latencySeconds],
      registers: [metrics.registry],
    });
    histogram.observe(0.003);
    const text = await metrics.metricsText();
    expect(text).toContain('pulse_svc_handle_duration_seconds_bucket{le="0.0025"} 0');
    expect(text).toContain('pulse_svc_handle_duration_seconds_bucket{le="0.005"} 1');
  });
});
