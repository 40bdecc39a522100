import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { exportedMetricNames, metricNames, unknownMetrics } from './metric-catalog';
import { promtool } from './promtool';

// Grafana is not installable here: the dashboards are checked as data, and every PromQL
// expression is parsed by promtool (as a recording rule, the one offline PromQL check it has).
const dir = path.join(__dirname, 'grafana');
const DATASOURCE_UID = 'pulse-prometheus';

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; datasource?: { uid: string } }[] };
}

const files = readdirSync(path.join(dir, 'dashboards')).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => ({
  file: f,
  dashboard: JSON.parse(readFileSync(path.join(dir, 'dashboards', f), 'utf8')) as Dashboard,
}));

/** Grafana's built-in interval variables, replaced by a duration so promtool can parse. */
function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

describe('infra/grafana', () => {
  it('ships the four dashboards with unique uids', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'pulse-email',
      'pulse-node',
      'pulse-pipeline',
      'pulse-segments',
    ]);
  });

  it('provisions the datasource the dashboards reference by its fixed uid', () => {
    const provisioned = parse(
      readFileSync(path.join(dir, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
    ) as { datasources: { uid: string; type: string }[] };
    expect(provisioned.datasources.map((d) => [d.uid, d.type])).toEqual([
      [DATASOURCE_UID, 'prometheus'],
    ]);
    for (const { file, dashboard } of dashboards) {
      const refs = [
        ...dashboard.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)]),
        ...dashboard.templating.list.map((v) => v.datasource),
      ];
      for (const ref of refs)
        expect({ file, uid: ref?.uid }).toEqual({ file, uid: DATASOURCE_UID });
    }
  });

  it('lays out panels with unique ids, a grid position and at least one query', () => {
    for (const { file, dashboard } of dashboards) {
      const ids = dashboard.panels.map((p) => p.id);
      expect({ file, unique: new Set(ids).size }).toEqual({ file, unique: ids.length });
      for (const panel of dashboard.panels) {
        expect(panel.gridPos.w).toBeGreaterThan(0);
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
        expect({ title: panel.title, queries: panel.targets.length > 0 }).toEqual({
          title: panel.title,
          queries: true,
        });
      }
    }
  });

  it('has PromQL that promtool parses', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'pulse-grafana-'));
    try {
      for (const { file, dashboard } of dashboards) {
        const rules = dashboard.panels.flatMap((panel) =>
          panel.targets.map((t) => ({
            record: `dashboard:panel_${panel.id}_${t.refId}`,
            expr: withoutGrafanaVariables(t.expr),
          })),
        );
        const rulesFile = path.join(work, `${path.basename(file, '.json')}.yml`);
        writeFileSync(rulesFile, stringify({ groups: [{ name: dashboard.uid, rules }] }));
        const res = promtool(['check', 'rules', rulesFile]);
        expect({ file, status: res.status, output: res.output }).toEqual({
          file,
          status: 0,
          output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
        });
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('reads only metrics the services export (or that are pending)', async () => {
    const exported = await exportedMetricNames();
    for (const { file, dashboard } of dashboards) {
      const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)));
      expect({ file, unknown: unknownMetrics(used, exported) }).toEqual({ file, unknown: [] });
    }
  });
});
