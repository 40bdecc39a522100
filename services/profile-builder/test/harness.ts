import path from 'node:path';
import type { ProfileChange } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import { createRedis } from '@pulse/redis';
import type { AggregateSpec } from '@pulse/rules';
import { getStack, isolatedRedis, type IsolatedRedis } from '@pulse/testkit';
import { DAY_MS, type FoldOptions } from '../src/fold-options';
import { createFolder, type Folder } from '../src/folder';
import { createProfileKeys } from '../src/keys';
import { readProfile } from '../src/profile-reader';
import type { ProfileView } from '../src/profile-view';
import { loadProfileScripts } from '../src/scripts';
import { loadAggregateSpecs } from '../src/segment-specs';
import { createProfileStore, type ProfileStore } from '../src/store';
import { loadTags } from '../src/tags';
import { createDuplicateStore } from '../src/duplicate-store';
import { loadIdentityConfig } from '../src/identity-config';

/** The rule aggregates of the shipped segments (every folder test maintains them too). */
export const RULE_AGGREGATES = loadAggregateSpecs(
  path.resolve(__dirname, '../../../config/segments'),
  silentLogger(),
);

/** The shipped duplicate detection settings. */
export const IDENTITY = loadIdentityConfig(
  path.resolve(__dirname, '../../../config/identity.yaml'),
);

/** The shipped behavioural tags. */
export const TAGS = loadTags(path.resolve(__dirname, '../../../config/tags.yaml'));

export const FOLD: FoldOptions = {
  money: { baseCurrency: 'USD', rates: { EUR: 1.1 } },
  affinityHalfLifeMs: 30 * DAY_MS,
  bucketDays: 200,
};

/** A folder on real Redis under a random prefix, publishing into an array. */
export interface FolderHarness {
  iso: IsolatedRedis;
  prefix: string;
  store: ProfileStore;
  folder: Folder;
  published: ProfileChange[];
  clock: ManualClock;
  read(id: string): Promise<ProfileView | undefined>;
  /** Another folder on the same prefix with its own connection (a second consumer). */
  twin(): { folder: Folder; close(): Promise<void> };
  cleanup(): Promise<void>;
}

/** What a harness may fold with instead of the defaults (FOLD, RULE_AGGREGATES). */
export interface HarnessOptions {
  fold?: FoldOptions;
  aggregates?: readonly AggregateSpec[];
}

export async function folderHarness(
  now: number,
  prefix?: string,
  options: HarnessOptions = {},
): Promise<FolderHarness> {
  const fold = options.fold ?? FOLD;
  const stack = getStack();
  const iso = isolatedRedis(stack, prefix ? { prefix: `${prefix}:` } : {});
  const keyPrefix = iso.prefix.replace(/:$/, '');
  const clock = new ManualClock(now);
  const published: ProfileChange[] = [];
  const make = (
    redis: ProfileStore extends never ? never : Parameters<typeof createProfileStore>[0]['redis'],
  ) => {
    const keys = createProfileKeys(keyPrefix);
    const store = createProfileStore({
      redis,
      keys,
      scripts: loadProfileScripts(),
      markRetentionMs: 7 * DAY_MS,
    });
    const folder = createFolder({
      store,
      fold,
      clock,
      logger: silentLogger(),
      aggregates: options.aggregates ?? RULE_AGGREGATES,
      publish: async (c) => void published.push(...c),
      duplicates: { store: createDuplicateStore(redis, keys), config: IDENTITY },
    });
    return { store, folder };
  };
  const { store, folder } = make(iso.client);
  await store.prepare();
  const extra: (() => Promise<void>)[] = [];
  return {
    iso,
    prefix: keyPrefix,
    store,
    folder,
    published,
    clock,
    read: (id) => readProfile(store, fold, id, clock.now(), TAGS),
    twin: () => {
      const redis = createRedis({
        url: stack.redisUrl,
        logger: silentLogger(),
        autoPipelining: false,
      });
      const close = async () => void (await redis.quit().catch(() => undefined));
      extra.push(close);
      return { folder: make(redis).folder, close };
    },
    cleanup: async () => {
      for (const close of extra) await close();
      await iso.cleanup();
    },
  };
}
