import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { toAvroType } from './avro';
import { SCHEMAS } from './schemas';
import type { TopicValues } from './schemas';
import type { SchemaTopicName } from './topics';
import { validateRecord } from './validate';

/**
 * Example records, one JSON file each (complete: every field present, payload wrapped as avsc
 * does), shared by tests, the demo and other packages. Same path from src/ and dist/.
 */
export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures');

const FIXTURE_SUBDIRS: { readonly [T in SchemaTopicName]: string } = {
  'events.v1': 'events',
  'profile-changes.v1': 'profile-changes',
  'segment-changes.v1': 'segment-changes',
  'emails.v1': 'emails',
};

/** Names of a topic's fixtures (file names without `.json`), sorted. */
export function fixtureNames(topic: SchemaTopicName): string[] {
  return readdirSync(path.join(FIXTURES_DIR, FIXTURE_SUBDIRS[topic]))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/**
 * Reads one fixture, e.g. `readFixture('events.v1', 'order-completed')`, and checks it against
 * the topic's schema. Throws naming the file and the fields when it does not fit.
 */
export function readFixture<T extends SchemaTopicName>(topic: T, name: string): TopicValues[T] {
  const file = path.join(FIXTURES_DIR, FIXTURE_SUBDIRS[topic], `${name}.json`);
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const problems = validateRecord(toAvroType(SCHEMAS[topic]), value);
  if (problems.length > 0) {
    const listed = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new Error(`fixture ${file} does not fit ${topic}: ${listed}`);
  }
  // Checked just above: the value is a valid record of the topic's schema.
  return value as TopicValues[T];
}
