/** The time fields of a Segment call (ISO-8601 strings, already validated). */
export interface TimeFields {
  timestamp?: string | undefined;
  originalTimestamp?: string | undefined;
  sentAt?: string | undefined;
}

export interface EventTimeOptions {
  /** When ingest received the request (epoch ms, from the injected clock). */
  receivedAt: number;
  /**
   * Correct a `timestamp` for the sender's clock skew too (browsers: their clocks are not
   * trusted). Server libraries' `timestamp` is used as sent, as Segment does, so historical
   * imports keep their time.
   */
  correctTimestamp: boolean;
}

/**
 * Event time per the Segment timestamp spec. When the sender gives the device time of the call
 * (`originalTimestamp`, or a browser's `timestamp`) and the device time of sending (`sentAt`),
 * the device clock's skew cancels out: `receivedAt - (sentAt - originalTimestamp)`. Otherwise
 * the sent `timestamp`, else `originalTimestamp`, else `receivedAt`.
 */
export function eventTime(fields: TimeFields, options: EventTimeOptions): number {
  const { receivedAt } = options;
  const sentAt = parse(fields.sentAt);
  const original = parse(fields.originalTimestamp);
  const timestamp = parse(fields.timestamp);
  if (sentAt !== undefined && original !== undefined) return receivedAt - (sentAt - original);
  if (sentAt !== undefined && timestamp !== undefined && options.correctTimestamp) {
    return receivedAt - (sentAt - timestamp);
  }
  return timestamp ?? original ?? receivedAt;
}

function parse(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
