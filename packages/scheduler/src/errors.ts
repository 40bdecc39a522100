import { PulseError } from '@pulse/core';

/** Error codes of this package. */
export const SchedulerErrorCode = {
  /** A scheduling argument is out of range (names the option or argument). */
  INVALID_ARGUMENT: 'SCHEDULER_INVALID_ARGUMENT',
  /** A script answered something this package does not understand. */
  UNEXPECTED_REPLY: 'SCHEDULER_UNEXPECTED_REPLY',
  /** The scheduler was closed; nothing more can be scheduled or claimed through it. */
  CLOSED: 'SCHEDULER_CLOSED',
} as const;

/** Why an ack was refused: the script's negative return codes, in one place. */
export type AckOutcome = 'acked' | 'gone' | 'lease-lost';

const ACK_CODES: Readonly<Record<number, AckOutcome>> = {
  1: 'acked',
  [-1]: 'gone',
  [-2]: 'lease-lost',
};

/** Maps ack.lua's return code: 1 acked, -1 timer gone (cancelled), -2 lease lost. */
export function ackOutcome(code: unknown): AckOutcome {
  const outcome = typeof code === 'number' ? ACK_CODES[code] : undefined;
  if (!outcome) throw unexpectedReply('ack', code);
  return outcome;
}

/** What schedule.lua did: 1 created, 2 rescheduled, 0 unchanged (same due time). */
export type ScheduleOutcome = 'created' | 'rescheduled' | 'unchanged';

const SCHEDULE_CODES: Readonly<Record<number, ScheduleOutcome>> = {
  1: 'created',
  2: 'rescheduled',
  0: 'unchanged',
};

export function scheduleOutcome(code: unknown): ScheduleOutcome {
  const outcome = typeof code === 'number' ? SCHEDULE_CODES[code] : undefined;
  if (!outcome) throw unexpectedReply('schedule', code);
  return outcome;
}

export function unexpectedReply(script: string, reply: unknown): PulseError {
  return new PulseError(
    SchedulerErrorCode.UNEXPECTED_REPLY,
    `${script}.lua answered ${JSON.stringify(reply)}`,
    { details: { script } },
  );
}

export function invalidArgument(message: string): PulseError {
  return new PulseError(SchedulerErrorCode.INVALID_ARGUMENT, message);
}
