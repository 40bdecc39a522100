export { createRedis, pingRedis, redisError, closeRedis } from './client';
export type { RedisClientOptions } from './client';
export { createKeyspace } from './keys';
export type { Keyspace } from './keys';
export { loadScript, defineScript, scriptError } from './scripts';
export type { Script } from './scripts';
export type { Redis } from 'ioredis';
export { redisConfigSpec } from './config';
