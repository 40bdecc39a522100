/** `pulse dlq` arguments: pure parsing, errors as values. */

export const DLQ_USAGE = `usage: pulse dlq list
       pulse dlq show <topic>.dlq.<group> [--limit N]
       pulse dlq replay <topic>.dlq.<group> [--limit N] [--chunk N]

  list     every dead-letter topic with its record count and how many wait for a replay
  show     the oldest records (default 20) with their pulse.dlq.* headers and decoded value
  replay   re-produce the original bytes to the original topic and partition; the position is
           committed (group pulse-dlq-replay.<dlq topic>) so a record is replayed once

environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL`;

export type DlqArgs =
  | { command: 'list' }
  | { command: 'show'; dlqTopic: string; limit: number }
  | { command: 'replay'; dlqTopic: string; limit: number | undefined; chunk: number };

export type ParsedDlqArgs = { ok: true; args: DlqArgs } | { ok: false; error: string };

function positiveInt(flag: string, value: string | undefined): number | string {
  if (value === undefined || !/^[1-9][0-9]*$/.test(value)) {
    return `${flag} needs a positive whole number, got ${value === undefined ? 'nothing' : `"${value}"`}`;
  }
  return Number(value);
}

export function parseDlqArgs(argv: readonly string[]): ParsedDlqArgs {
  const [command, ...rest] = argv;
  if (command === 'list') {
    return rest.length === 0
      ? { ok: true, args: { command } }
      : { ok: false, error: `list takes no arguments` };
  }
  if (command !== 'show' && command !== 'replay') {
    return {
      ok: false,
      error: command ? `unknown dlq command "${command}"` : 'missing dlq command',
    };
  }
  const flags: Record<string, number> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i] ?? '';
    const allowed = command === 'show' ? ['--limit'] : ['--limit', '--chunk'];
    if (word.startsWith('--')) {
      if (!allowed.includes(word))
        return { ok: false, error: `unknown option ${word} for ${command}` };
      const n = positiveInt(word, rest[i + 1]);
      if (typeof n === 'string') return { ok: false, error: n };
      flags[word] = n;
      i += 1;
    } else {
      positional.push(word);
    }
  }
  const [dlqTopic, ...extra] = positional;
  if (dlqTopic === undefined) return { ok: false, error: `${command} needs a dead-letter topic` };
  if (extra.length > 0) return { ok: false, error: `unexpected argument "${extra[0]}"` };
  if (command === 'show')
    return { ok: true, args: { command, dlqTopic, limit: flags['--limit'] ?? 20 } };
  return {
    ok: true,
    args: { command, dlqTopic, limit: flags['--limit'], chunk: flags['--chunk'] ?? 100 },
  };
}
