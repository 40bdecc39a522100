import type { Type } from 'avsc';
import { parseSchemaJson, toAvroType, type AvroSchema } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import { KafkaErrorCode } from './errors';

export interface SchemaRegistryOptions {
  /** Confluent-compatible base URL, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`. */
  url: string;
  /** Per-request timeout; default 10 000 ms. */
  timeoutMs?: number;
  /** HTTP client; default Node's global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * The slice of the Confluent Schema Registry API Pulse uses. Ids never change meaning, so
 * registrations, schemas and parsed types are cached for the life of the client.
 */
export interface SchemaRegistry {
  /** Registers `schema` under `subject` (idempotent) and returns its global id. */
  register(subject: string, schema: AvroSchema): Promise<number>;
  /** The schema with global id `id`; `UNKNOWN_SCHEMA_ID` when the registry has none. */
  getById(id: number): Promise<AvroSchema>;
  /** The avsc Type for id `id`, built with contracts' `toAvroType` and cached. */
  getTypeById(id: number): Promise<Type>;
  /** Whether `schema` may be registered next under `subject` (true for a new subject). */
  checkCompatibility(subject: string, schema: AvroSchema): Promise<boolean>;
  /** Deletes a subject and all its versions (soft, then permanent); for tests and tooling. */
  deleteSubject(subject: string): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

interface RegistryResponse {
  status: number;
  body: unknown;
}

/** The registry's own words for a failure: `{"message": ..., "error_code": ...}`. */
function reasonOf(body: unknown): string {
  if (body !== null && typeof body === 'object' && 'message' in body) return String(body.message);
  return typeof body === 'string' && body.length > 0 ? body : 'no reason given';
}

function numberField(body: unknown, field: string): number | undefined {
  if (body === null || typeof body !== 'object' || !(field in body)) return undefined;
  const value: unknown = (body as Record<string, unknown>)[field]; // narrowed to an object above
  return typeof value === 'number' ? value : undefined;
}

function parseSchemaText(text: string, id: number): AvroSchema {
  try {
    return parseSchemaJson(text);
  } catch (err) {
    throw new PulseError(
      KafkaErrorCode.INVALID_SCHEMA,
      `schema ${id} is not a valid Avro schema: ${String(err)}`,
      {
        cause: err,
        details: { schemaId: id },
      },
    );
  }
}

/** Caches a promise per key; a rejected promise is dropped so the next call tries again. */
function memo<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  const cached = cache.get(key);
  if (cached) return cached;
  const loading = load();
  cache.set(key, loading);
  loading.catch(() => cache.delete(key));
  return loading;
}

/** A Confluent-API client over fetch, for Apicurio's `/apis/ccompat/v7` (or Confluent's own). */
export function createSchemaRegistry(options: SchemaRegistryOptions): SchemaRegistry {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;
  const ids = new Map<string, Promise<number>>();
  const schemas = new Map<number, Promise<AvroSchema>>();
  const types = new Map<number, Promise<Type>>();

  async function request(method: string, path: string, body?: unknown): Promise<RegistryResponse> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: { Accept: CONTENT_TYPE, 'Content-Type': CONTENT_TYPE },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new PulseError(
        KafkaErrorCode.REGISTRY_UNAVAILABLE,
        `schema registry ${base} unreachable: ${String(err)}`,
        {
          retriable: true,
          cause: err,
        },
      );
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // A non-JSON body (a proxy's error page) is kept as text for the error message.
    }
    if (res.status >= 500 || res.status === 429) {
      throw new PulseError(
        KafkaErrorCode.REGISTRY_UNAVAILABLE,
        `schema registry answered ${res.status} to ${method} ${path}: ${reasonOf(parsed)}`,
        { retriable: true, details: { status: res.status } },
      );
    }
    return { status: res.status, body: parsed };
  }

  function unexpected(res: RegistryResponse, what: string): PulseError {
    return new PulseError(
      KafkaErrorCode.REGISTRY_REQUEST_FAILED,
      `schema registry answered ${res.status} to ${what}: ${reasonOf(res.body)}`,
      { details: { status: res.status } },
    );
  }

  async function register(subject: string, schema: AvroSchema): Promise<number> {
    const text = JSON.stringify(schema);
    return memo(ids, `${subject}\u0000${text}`, async () => {
      const path = `/subjects/${encodeURIComponent(subject)}/versions`;
      const res = await request('POST', path, { schema: text, schemaType: 'AVRO' });
      if (res.status === 409) {
        throw new PulseError(
          KafkaErrorCode.SCHEMA_INCOMPATIBLE,
          `schema for ${subject} is incompatible with its registered versions: ${reasonOf(res.body)}`,
          { details: { subject } },
        );
      }
      if (res.status === 422) {
        throw new PulseError(
          KafkaErrorCode.INVALID_SCHEMA,
          `schema for ${subject} rejected: ${reasonOf(res.body)}`,
          {
            details: { subject },
          },
        );
      }
      const id = numberField(res.body, 'id');
      if (res.status !== 200 || id === undefined) throw unexpected(res, `register ${subject}`);
      return id;
    });
  }

  async function getById(id: number): Promise<AvroSchema> {
    return memo(schemas, id, async () => {
      const res = await request('GET', `/schemas/ids/${id}`);
      if (res.status === 404) {
        throw new PulseError(
          KafkaErrorCode.UNKNOWN_SCHEMA_ID,
          `schema registry has no schema with id ${id}`,
          {
            details: { schemaId: id },
          },
        );
      }
      const body = res.body;
      if (res.status !== 200 || body === null || typeof body !== 'object' || !('schema' in body)) {
        throw unexpected(res, `get schema ${id}`);
      }
      return parseSchemaText(String(body.schema), id);
    });
  }

  async function getTypeById(id: number): Promise<Type> {
    return memo(types, id, async () => {
      const schema = await getById(id);
      try {
        return toAvroType(schema);
      } catch (err) {
        throw new PulseError(
          KafkaErrorCode.INVALID_SCHEMA,
          `schema ${id} is not a valid Avro schema: ${String(err)}`,
          {
            cause: err,
            details: { schemaId: id },
          },
        );
      }
    });
  }

  async function checkCompatibility(subject: string, schema: AvroSchema): Promise<boolean> {
    const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`;
    const res = await request('POST', path, { schema: JSON.stringify(schema), schemaType: 'AVRO' });
    if (res.status === 404) return true;
    const body = res.body;
    if (
      res.status !== 200 ||
      body === null ||
      typeof body !== 'object' ||
      !('is_compatible' in body)
    ) {
      throw unexpected(res, `check compatibility of ${subject}`);
    }
    return body.is_compatible === true;
  }

  async function deleteSubject(subject: string): Promise<void> {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    for (const suffix of ['', '?permanent=true']) {
      const res = await request('DELETE', `${path}${suffix}`);
      if (res.status !== 200 && res.status !== 404) throw unexpected(res, `delete ${subject}`);
    }
    for (const key of ids.keys()) {
      if (key.startsWith(`${subject}\u0000`)) ids.delete(key);
    }
  }

  return { register, getById, getTypeById, checkCompatibility, deleteSubject };
}
