import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  exportedMetricNames,
  metricNames,
  PENDING_METRICS,
  serviceRegistries,
  unknownMetrics,
} from './metric-catalog';
import { promtool, promtoolMissing } from './promtool';

const dir = path.join(__dirname, 'prometheus');
const file = (...parts: string[]) => path.join(dir, ...parts);

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

const rules = parse(readFileSync(file('rules', 'pulse.yml'), 'utf8')) as RuleFile;

describe('infra/prometheus', () => {
  it('has promtool (Debian package prometheus) on PATH', () => {
    expect(promtoolMissing()).toBeUndefined();
  });

  it('passes promtool check config (and the rule files it names)', () => {
    const res = promtool(['check', 'config', file('prometheus.yml')]);
    expect(res.output).toContain('SUCCESS');
    expect(res.status).toBe(0);
  });

  it('passes promtool check rules', () => {
    const res = promtool(['check', 'rules', file('rules', 'pulse.yml')]);
    expect(res.status).toBe(0);
  });

  it('passes the alert unit tests (promtool test rules)', () => {
    const res = promtool(['test', 'rules', file('tests', 'pulse.test.yml')]);
    expect(res.output).toContain('SUCCESS');
    expect(res.status).toBe(0);
  });

  it('has the alerts the runbook names', () => {
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter(Boolean);
    expect(alerts.sort()).toEqual(
      [
        'PulseConsumerLagGrowing',
        'PulseDeadLetters',
        'PulseEventToSegmentSlow',
        'PulseIngest5xxRatio',
        'PulseServiceDown',
        'PulseSmtpFailures',
        'PulseTimerLate',
      ].sort(),
    );
  });

  it('scrapes every service, natively and under docker-compose, on the same ports', () => {
    type Group = { targets: string[]; labels: { job: string } };
    const native = parse(readFileSync(file('targets', 'services.yml'), 'utf8')) as Group[];
    const compose = parse(readFileSync(file('targets-compose', 'services.yml'), 'utf8')) as Group[];
    const jobs = (groups: Group[]) =>
      groups.map((g) => `${g.labels.job} ${g.targets.map((t) => t.split(':')[1]).join(',')}`);
    expect(jobs(native)).toEqual([
      'ingest 8080',
      'profile-builder 8082',
      'segmenter 8083',
      'cart-abandonment-timer 8084',
      'renderer 8085',
    ]);
    expect(jobs(compose)).toEqual(jobs(native));
    const services = readFileSync(path.join(__dirname, '..', 'docker-compose.yml'), 'utf8');
    for (const g of native.filter((g) => g.labels.job !== 'segmenter')) {
      expect(services).toContain(`${g.labels.job}:`);
    }
  });

  it('lints every service registry with promtool check metrics', async () => {
    for (const metrics of serviceRegistries()) {
      const text = await metrics.registry.metrics();
      const res = promtool(['check', 'metrics'], text);
      expect({ service: metrics.service, output: res.output.trim(), status: res.status }).toEqual({
        service: metrics.service,
        output: '',
        status: 0,
      });
    }
  });

  it('uses only metric names the services export (or that are pending)', async () => {
    const exported = await exportedMetricNames();
    const used = rules.groups.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr)));
    expect(unknownMetrics(used, exported)).toEqual([]);
    expect(PENDING_METRICS.filter((name) => exported.has(name))).toEqual([]);
  });
});
