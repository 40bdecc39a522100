import type { ContractProblem } from './validate';

/**
 * The value of a record on `events.rejects.v1`: UTF-8 JSON of this shape (no Avro schema, since
 * what failed may not fit one). Keyed by `source`. Ingest writes one per refused event so that
 * bad input is visible and countable instead of lost.
 */
export interface EventReject {
  /** When ingest refused it, epoch milliseconds. */
  rejectedAt: number;
  /** The source that sent it, or 'unknown' when the sender was not authenticated. */
  source: string;
  /** Stable reason code, e.g. 'invalid', 'type-not-allowed', 'too-large'. */
  reason: string;
  /** What was wrong, field by field (empty when the reason says it all). */
  problems: ContractProblem[];
  /** The refused input as received (decompressed text), possibly truncated by ingest. */
  raw: string;
}
