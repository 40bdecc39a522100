import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// docker-compose.yml cannot run on machines without a Docker engine, so its structure is
// checked here: pinned images, the same ports and settings as infra/stack.sh, and an entry for
// every Pulse service.
const root = path.resolve(__dirname, '..');

interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, unknown> | string[];
  volumes?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as Compose;
const services = compose.services;

describe('docker-compose.yml', () => {
  it('runs the same infrastructure as infra/stack.sh', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['kafka', 'registry', 'redis', 'maildev', 'prometheus', 'grafana']),
    );
    expect(services.kafka?.image).toBe('apache/kafka:3.9.1');
    expect(services.kafka?.ports).toContain('9092:9092');
    expect(services.registry?.ports).toContain('8081:8080');
    expect(services.redis?.ports).toContain('6379:6379');
    expect(services.maildev?.ports).toEqual(expect.arrayContaining(['1025:1025', '1080:1080']));
  });

  it('pins every image to a version', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.build) continue;
      expect({ name, image: svc.image }).toEqual({ name, image: expect.stringMatching(/:[0-9v]/) });
    }
  });

  it('keeps schema ids across restarts and enforces BACKWARD compatibility', () => {
    const env = services.registry?.environment ?? {};
    expect(env.APICURIO_STORAGE_KIND).toBe('sql');
    expect(String(env.APICURIO_DATASOURCE_URL)).toMatch(/^jdbc:h2:file:/);
    expect(env.APICURIO_RULES_GLOBAL_COMPATIBILITY).toBe('BACKWARD');
    expect(services.registry?.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
  });

  it('has an entry built from this repository for every service under services/', () => {
    const dir = path.join(root, 'services');
    const names = existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
      : [];
    for (const name of names) {
      expect({ name, build: Boolean(services[name]?.build) }).toEqual({ name, build: true });
    }
  });

  it('refers only to services, volumes and files that exist', () => {
    const volumes = Object.keys(compose.volumes ?? {});
    for (const [name, svc] of Object.entries(services)) {
      const deps = Array.isArray(svc.depends_on)
        ? svc.depends_on
        : Object.keys(svc.depends_on ?? {});
      for (const dep of deps)
        expect({ name, dep, known: dep in services }).toEqual({ name, dep, known: true });
      for (const volume of svc.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(path.join(root, source))).toBe(true);
        else expect(volumes).toContain(source);
      }
    }
  });

  it('provisions Grafana with a datasource of fixed uid', () => {
    const ds = parse(
      readFileSync(
        path.join(root, 'infra/grafana/provisioning/datasources/prometheus.yml'),
        'utf8',
      ),
    ) as { datasources: { uid: string; url: string }[] };
    expect(ds.datasources[0]?.uid).toBe('pulse-prometheus');
    expect(ds.datasources[0]?.url).toBe('http://prometheus:9090');
  });
});
