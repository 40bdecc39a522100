import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@pulse/core';
import { logLevel } from 'kafkajs';
import { Writable } from 'node:stream';
import { kafkajsLevelFor, pinoLevelFor, pinoLogCreator } from './kafkajs-logger';

describe('kafkajs log levels', () => {
  it('demotes kafkajs chatter and routine rebalances', () => {
    expect(pinoLevelFor(logLevel.ERROR, 'Connection error: ECONNREFUSED')).toBe('error');
    expect(pinoLevelFor(logLevel.ERROR, 'The group is rebalancing, re-joining')).toBe('info');
    expect(pinoLevelFor(logLevel.WARN, 'x')).toBe('warn');
    const bounded = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';
    expect(pinoLevelFor(logLevel.WARN, bounded)).toBe('debug');
    expect(pinoLevelFor(logLevel.INFO, 'Consumer has joined the group')).toBe('debug');
    expect(pinoLevelFor(logLevel.DEBUG, 'Request Metadata')).toBe('trace');
  });

  it('asks kafkajs only for entries the pino level can show', () => {
    expect(kafkajsLevelFor('info')).toBe(logLevel.WARN);
    expect(kafkajsLevelFor('warn')).toBe(logLevel.WARN);
    expect(kafkajsLevelFor('debug')).toBe(logLevel.INFO);
    expect(kafkajsLevelFor('trace')).toBe(logLevel.DEBUG);
    expect(kafkajsLevelFor('silent')).toBe(logLevel.NOTHING);
  });

  it('forwards entries as structured pino lines', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ name: 'test', level: 'info', destination });
    const log = pinoLogCreator(logger)(logLevel.WARN);
    log({
      namespace: 'Producer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 'now', message: 'Failed to send', logger: 'kafkajs', broker: 'b:9092' },
    });
    expect(lines).toHaveLength(1);
    const line: unknown = JSON.parse(lines[0] ?? '{}');
    expect(line).toMatchObject({
      level: 'error',
      msg: 'Failed to send',
      kafkajs: 'Producer',
      broker: 'b:9092',
    });
    expect(line).not.toHaveProperty('timestamp');
  });
});
