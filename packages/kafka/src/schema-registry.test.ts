import { describe, expect, it } from '@jest/globals';
import { PulseError, isRetriable } from '@pulse/core';
import { KafkaErrorCode } from './errors';
import { createSchemaRegistry } from './schema-registry';

type Reply = { status: number; body?: unknown } | Error;

/** A fetch that answers from a script and records the requests (no network). */
function scriptedFetch(replies: Reply[]) {
  const calls: { url: string; method: string; body: unknown }[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ url: String(input), method: init?.method ?? 'GET', body });
    const reply = replies.shift();
    if (!reply) throw new Error('unexpected request');
    if (reply instanceof Error) throw reply;
    return new Response(reply.body === undefined ? '' : JSON.stringify(reply.body), {
      status: reply.status,
    });
  };
  return { calls, fetchFn };
}

async function failure(promise: Promise<unknown>): Promise<PulseError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof PulseError)) throw new Error(`expected a PulseError, got ${String(err)}`);
  return err;
}

const schema = { type: 'record' as const, name: 'T', fields: [{ name: 'a', type: 'string' }] };

describe('schema registry client', () => {
  it('registers once per subject and schema, then answers from cache', async () => {
    const { calls, fetchFn } = scriptedFetch([{ status: 200, body: { id: 7 } }]);
    const registry = createSchemaRegistry({ url: 'http://r/apis/ccompat/v7/', fetch: fetchFn });
    expect(await registry.register('t-value', schema)).toBe(7);
    expect(await registry.register('t-value', schema)).toBe(7);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('http://r/apis/ccompat/v7/subjects/t-value/versions');
    expect(calls[0]?.body).toEqual({ schema: JSON.stringify(schema), schemaType: 'AVRO' });
  });

  it('maps 409 to SCHEMA_INCOMPATIBLE with the registry reason, not retriable', async () => {
    const reason = 'Incompatible artifact: num of incompatible diffs: {1}';
    const { fetchFn } = scriptedFetch([
      { status: 409, body: { message: reason, error_code: 409 } },
    ]);
    const registry = createSchemaRegistry({ url: 'http://r', fetch: fetchFn });
    const err = await failure(registry.register('t-value', schema));
    expect(err.code).toBe(KafkaErrorCode.SCHEMA_INCOMPATIBLE);
    expect(err.message).toContain(reason);
    expect(isRetriable(err)).toBe(false);
  });

  it('maps 5xx and network failures to retriable REGISTRY_UNAVAILABLE, and does not cache them', async () => {
    const { fetchFn } = scriptedFetch([
      { status: 503, body: 'busy' },
      new TypeError('fetch failed'),
      { status: 200, body: { id: 3 } },
    ]);
    const registry = createSchemaRegistry({ url: 'http://r', fetch: fetchFn });
    for (let i = 0; i < 2; i += 1) {
      const err = await failure(registry.register('t-value', schema));
      expect(err.code).toBe(KafkaErrorCode.REGISTRY_UNAVAILABLE);
      expect(isRetriable(err)).toBe(true);
    }
    expect(await registry.register('t-value', schema)).toBe(3);
  });

  it('fetches a schema by id once, and maps 404 to UNKNOWN_SCHEMA_ID', async () => {
    const { calls, fetchFn } = scriptedFetch([
      { status: 200, body: { schema: JSON.stringify(schema), schemaType: 'AVRO' } },
      { status: 404, body: { message: 'No content with ID', error_code: 40403 } },
    ]);
    const registry = createSchemaRegistry({ url: 'http://r', fetch: fetchFn });
    expect(await registry.getById(5)).toEqual(schema);
    const type = await registry.getTypeById(5);
    expect(type.fromBuffer(type.toBuffer({ a: 'x' }))).toEqual({ a: 'x' });
    expect(calls).toHaveLength(1);
    const err = await failure(registry.getById(6));
    expect(err.code).toBe(KafkaErrorCode.UNKNOWN_SCHEMA_ID);
    expect(isRetriable(err)).toBe(false);
  });

  it('checks compatibility against the latest version', async () => {
    const { calls, fetchFn } = scriptedFetch([
      { status: 200, body: { is_compatible: false } },
      { status: 200, body: { is_compatible: true } },
    ]);
    const registry = createSchemaRegistry({ url: 'http://r', fetch: fetchFn });
    expect(await registry.checkCompatibility('a b', schema)).toBe(false);
    expect(await registry.checkCompatibility('t', schema)).toBe(true);
    expect(calls[0]?.url).toBe('http://r/compatibility/subjects/a%20b/versions/latest');
  });
});
