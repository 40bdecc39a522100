import { PulseError } from '@pulse/core';
import type { Logger } from '@pulse/core';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  /** redis://[user:pass@]host:port[/db] */
  url: string;
  logger: Logger;
  /** Name shown by CLIENT LIST, e.g. the service name. */
  connectionName?: string;
  /**
   * Batch every command issued in the same event-loop tick into one round trip (default true):
   * per-event scripts issued while a Kafka batch is processed then cost one round trip together.
   */
  autoPipelining?: boolean;
  /** Extra ioredis options; these win. */
  overrides?: RedisOptions;
}

/** Creates an ioredis client. Commands issued while disconnected wait (bounded) and then fail retriably. */
export function createRedis(options: RedisClientOptions): Redis {
  const log = options.logger.child({ component: 'redis' });
  const client = new Redis(options.url, {
    connectionName: options.connectionName,
    enableAutoPipelining: options.autoPipelining ?? true,
    maxRetriesPerRequest: 3,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    lazyConnect: false,
    ...options.overrides,
  });
  client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  client.on('ready', () => log.debug('redis ready'));
  return client;
}

/** Readiness probe: true when PING answers within `timeoutMs`. */
export async function pingRedis(client: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    });
    return (await Promise.race([client.ping(), timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Wraps an ioredis failure: connection problems are retriable, script/logic errors are not. */
export function redisError(err: unknown, what: string): PulseError {
  const message = err instanceof Error ? err.message : String(err);
  const connection =
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|MaxRetriesPerRequest|LOADING|READONLY|TRYAGAIN|CLUSTERDOWN/.test(
      message,
    );
  return new PulseError(
    connection ? 'REDIS_UNAVAILABLE' : 'REDIS_COMMAND_FAILED',
    `${what}: ${message}`,
    {
      retriable: connection,
      cause: err,
    },
  );
}

/** Quits gracefully, falling back to disconnect; safe to call twice. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
