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
  if (declared > (stream === 'identity' ? maxBytes : maxCompressedBytes(maxBytes))) {
    if (stream !== 'identity') stream.destroy();
    req.resume();
    return tooLarge(limit, maxBytes);
  }
  const source: Readable = stream === 'identity' ? req : req.pipe(stream);
  // Compressed input is capped too: legitimate data never compresses to more than its size
  // plus framing, while a stream of empty deflate blocks inflates to nothing, forever.
  let compressed = 0;
  let compressedTooLarge = false;
  const countCompressed = (chunk: Buffer) => {
    compressed += chunk.length;
    if (compressed > maxCompressedBytes(maxBytes) && !compressedTooLarge) {
      compressedTooLarge = true;
      source.destroy();
    }
  };
  if (source !== req) req.on('data', countCompressed);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop inflating now: the rest of a gzip bomb is never decompressed.
        req.off('data', countCompressed);
        abandon(req, source);
        return tooLarge(limit, maxBytes);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    req.off('data', countCompressed);
    abandon(req, source);
    if (compressedTooLarge) return tooLarge(limit, maxBytes);
    const reason = stream === 'identity' ? 'the request body was cut off' : `bad ${encoding} data`;
    return {
      ok: false,
      problem: { status: 400, error: 'invalid_body', reason: `${reason}: ${String(err)}` },
    };
  }
  req.off('data', countCompressed);
  if (compressedTooLarge) return tooLarge(limit, maxBytes);
  return { ok: true, bytes: Buffer.concat(chunks) };
}

/** Most compressed bytes read for a decompressed limit: the limit plus gzip's worst framing. */
export function maxCompressedBytes(maxBytes: number): number {
  return maxBytes + Math.ceil(maxBytes / 1000) + 1024;
}

/**
 * Stops reading a body that will not be used: the decompressor is dropped (nothing more is
 * inflated) and the request is left to drain; the route answers with `Connection: close`, so
 * Node closes the socket once the answer is out instead of reading the rest.
 */
function abandon(req: IncomingMessage, source: Readable): void {
  if (source !== req) {
    req.unpipe(source as Transform);
    source.destroy();
  }
  req.resume();
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
