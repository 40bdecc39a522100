import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadCatalog } from './catalog';
import { daytimePlaces, generateCustomers } from './customers';
import { journey } from './journeys';
import { createRng } from './rng';
import { renderLogLine } from './supervisor';

const CONFIG = path.resolve(__dirname, '..', '..', '..', '..', 'config');
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('the store generator', () => {
  it('replays the same store from the same seed', () => {
    const a = generateCustomers(createRng(7), 30, 'r', NOW);
    const b = generateCustomers(createRng(7), 30, 'r', NOW);
    expect(a).toEqual(b);
    expect(generateCustomers(createRng(8), 30, 'r', NOW)).not.toEqual(a);
  });

  it('puts customers where it is daytime, so quiet hours do not hold the demo', () => {
    for (const place of daytimePlaces(NOW)) {
      const local = (12 + place.offset + 24) % 24;
      expect(local).toBeGreaterThanOrEqual(9);
      expect(local).toBeLessThan(20);
    }
  });

  it('sends orders only from the shop backend, browsing from the page, history with past timestamps', () => {
    const rng = createRng(1);
    const catalog = loadCatalog(CONFIG);
    const customers = generateCustomers(rng, 60, 'r', NOW);
    const steps = customers.flatMap((c) => journey(rng, c, catalog, NOW, 20_000));
    const orders = steps.filter((s) => s.message.event === 'Order Completed');
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((s) => s.source === 'server')).toBe(true);
    expect(
      steps
        .filter((s) => s.source === 'browser')
        .every((s) => !String(s.message.event ?? '').startsWith('Order')),
    ).toBe(true);
    const history = orders.filter((s) => s.message.timestamp instanceof Date);
    expect(history.every((s) => (s.message.timestamp as Date).getTime() < NOW)).toBe(true);
    expect(steps.every((s) => s.at >= 0)).toBe(true);
    const browsers = customers.filter((c) => c.persona === 'browser').map((c) => c.userId);
    expect(orders.some((s) => browsers.includes(String(s.message.userId)))).toBe(false);
  });
});

describe('renderLogLine', () => {
  it('renders pino JSON as level, message and fields, errors by their message', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: 1,
      pid: 2,
      msg: 'retrying',
      attempt: 2,
      err: { message: 'boom', stack: 'x' },
    });
    expect(renderLogLine(line)).toBe('warn  retrying  attempt=2 err=boom');
    expect(renderLogLine('plain text')).toBe('plain text');
  });
});
