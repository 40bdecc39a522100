import path from 'node:path';
import { PulseError } from '@pulse/core';
import { loadScript, redisError } from '@pulse/redis';
import type { Keyspace, Redis } from '@pulse/redis';
import { emptyCart } from './cart-state';
import type { CartState } from './cart-state';

const SCRIPT_DIR = path.resolve(__dirname, '..', 'scripts');

/** Error codes of the cart store. */
export const CartStoreErrorCode = {
  /** The cart kept changing under us; retriable (the batch or the timer runs again). */
  CONTENDED: 'CART_STATE_CONTENDED',
} as const;

/** Carts in Redis: one hash per customer under the customer's hash tag. */
export interface CartStore {
  /** The cart and its version (`'0'` when absent); the version moves on every write. */
  load(customerId: string): Promise<{ version: string; state: CartState }>;
  /**
   * Applies `change` to the customer's current cart and writes it atomically (compare-and-set,
   * re-read and re-applied when another writer got there first). Returns the state written (or
   * the unchanged state when `change` returned its input).
   */
  update(customerId: string, change: (state: CartState) => CartState): Promise<CartState>;
}

export interface CartStoreOptions {
  redis: Redis;
  keyspace: Keyspace;
  /** An idle cart's state is forgotten after this long (ms). */
  ttlMs: number;
  /** Compare-and-set attempts before giving up retriably; default 20. */
  maxAttempts?: number;
}

export function createCartStore(options: CartStoreOptions): CartStore {
  const { redis, keyspace } = options;
  const write = loadScript('cart-write', SCRIPT_DIR);
  const keyOf = (customerId: string): string => keyspace.tagged(customerId, 'cart');

  async function read(customerId: string): Promise<{ version: string; state: CartState }> {
    try {
      const [version, json] = await redis.hmget(keyOf(customerId), 'v', 's');
      // Only this store writes `s`, always as the JSON of a CartState.
      const state = json ? (JSON.parse(json) as CartState) : emptyCart();
      return { version: version ?? '0', state };
    } catch (err) {
      throw redisError(err, `reading the cart of ${customerId}`);
    }
  }

  return {
    load: read,
    async update(customerId, change) {
      const attempts = options.maxAttempts ?? 20;
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const { version, state } = await read(customerId);
        const next = change(state);
        if (next === state) return state;
        let reply: unknown;
        try {
          reply = await write.run(
            redis,
            [keyOf(customerId)],
            [version, JSON.stringify(next), options.ttlMs],
          );
        } catch (err) {
          throw redisError(err, `writing the cart of ${customerId}`);
        }
        if (Number(reply) >= 1) return next;
      }
      throw new PulseError(
        CartStoreErrorCode.CONTENDED,
        `cart of ${customerId} changed ${attempts} times while updating`,
        {
          retriable: true,
        },
      );
    },
  };
}
