import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

/** Segment's limits. */
export const LIMITS = {
  /** One call to a single-event route, and each item of a batch. */
  eventBytes: 32 * 1024,
  /** The whole (decompressed) body of /v1/batch. */
  batchBytes: 500 * 1024,
  /** Items in one batch. */
  batchEvents: 2500,
} as const;

/** Why a body could not be read; `status` is the HTTP answer. */
export interface BodyProblem {
  status: 400 | 413 | 415;
  error: 'payload_too_large' | 'invalid_body' | 'invalid_json' | 'unsupported_media_type';
  reason: string;
  /** For 413: the limit's name and size. */
  limit?: string;
  max?: number;
}

export type BodyResult = { ok: true; text: string } | { ok: false; problem: BodyProblem };

export type RawBodyResult = { ok: true; bytes: Buffer } | { ok: false; problem: BodyProblem };

/**
 * The body is read as JSON whatever else Content-Type says: browsers send `text/plain` to skip
 * the CORS preflight and some SDKs send a gzipped Buffer with a generic type. Only multipart
 * bodies are refused, since they can never be one JSON document.
 */
const FORM_TYPES = /^multipart\//i;

function tooLarge(limit: string, maxBytes: number): { ok: false; problem: BodyProblem } {
  return {
    ok: false,
    problem: {
      status: 413,
      error: 'payload_too_large',
      reason: `body exceeds the ${limit} limit of ${maxBytes} bytes`,
      limit,
      max: maxBytes,
    },
  };
}

function decoder(encoding: string): Transform | 'identity' | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return 'identity';
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    default:
      return undefined;
  }
}

/**
 * Reads a JSON body, decompressing gzip/deflate, and stops reading as soon as the decompressed size
 * passes `maxBytes` (`limit` names the limit in the 413).
 */
export async function readBody(
  req: IncomingMessage,
  limit: string,
  maxBytes: number,
): Promise<BodyResult> {
  const raw = await readRawBody(req, limit, maxBytes);
  return raw.ok ? { ok: true, text: raw.bytes.toString('utf8') } : raw;
}

/**
 * The decompressed body as bytes, exactly as sent (signed webhooks verify these bytes, never
 * re-serialized JSON); same limits and problems as `readBody`.
 */
export async function readRawBody(
  req: IncomingMessage,
  limit: string,
  maxBytes: number,
): Promise<RawBodyResult> {
  const type = req.headers['content-type'];
  if (type !== undefined && FORM_TYPES.test(type)) {
    req.resume();
    return unsupported(`content-type ${type} is not JSON`);
  }
  const declared = Number(req.headers['content-length']);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  const stream = decoder(encoding);
  if (stream === undefined) {
    req.resume();
    return unsupported(`content-encoding ${encoding} is not supported (use gzip)`);
  }
  if (stream === 'identity' && declared > maxBytes) {
    req.resume();
    return tooLarge(limit, maxBytes);
  }
  const source: Readable = stream === 'identity' ? req : req.pipe(stream);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        if (source !== req) source.destroy();
        req.resume();
        return tooLarge(limit, maxBytes);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    req.resume();
    const reason = stream === 'identity' ? 'the request body was cut off' : `bad ${encoding} data`;
    return {
      ok: false,
      problem: { status: 400, error: 'invalid_body', reason: `${reason}: ${String(err)}` },
    };
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

function unsupported(reason: string): { ok: false; problem: BodyProblem } {
  return { ok: false, problem: { status: 415, error: 'unsupported_media_type', reason } };
}

/** JSON.parse as a value. */
export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; problem: BodyProblem } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return {
      ok: false,
      problem: {
        status: 400,
        error: 'invalid_json',
        reason: err instanceof Error ? err.message : 'malformed JSON',
      },
    };
  }
}
