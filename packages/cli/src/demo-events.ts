import { fixtureNames, readFixture, type PulseEvent } from '@pulse/contracts';

/**
 * The demo's events: every events.v1 fixture (one per event type), re-identified for this run
 * so its records can be told apart from earlier runs' on the same topic.
 */
export function demoEvents(runId: string, now: number): PulseEvent[] {
  return fixtureNames('events.v1').map((name, i) => {
    const fixture = readFixture('events.v1', name);
    return {
      ...fixture,
      id: `${runId}-${name}`,
      userId: fixture.userId === null ? null : `demo-${runId}`,
      anonymousId: fixture.anonymousId === null ? null : `anon-${runId}`,
      occurredAt: now - 60_000 + i * 1_000,
      receivedAt: now,
    };
  });
}

/** Bytes that are not a Confluent-framed Avro record: the consumer must dead-letter them. */
export function poisonBytes(runId: string): Buffer {
  return Buffer.from(`{"this is":"not avro","run":"${runId}"}`, 'utf8');
}
