/**
 * Erasure reaches ingest's order book (real Kafka, registry, Redis): store orders arrive by
 * signed Shopify webhook and leave owner records; a `pulse forget` tombstone on the
 * profile-changes topic deletes the erased customer's owners and index, nothing else.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SCHEMAS, type ProfileChange } from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import { createKeyspace } from '@pulse/redis';
import { getStack, waitFor } from '@pulse/testkit';
import { customerOrdersKey, identityHash, orderKeys, orderTag } from '../src/order-keys';
import { startHarness, type IngestHarness } from './harness';

const SECRET = 'shpss_erasure_secret';
const order = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'shopify', 'orders-create.json'), 'utf8'),
) as Record<string, unknown>;
const stack = getStack();
const logger = silentLogger();
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-erasure-test', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
let h: IngestHarness;
let producer: ReturnType<typeof createProducer>;

/** Orders of the test: the erased customer's (by account and as a guest), and two others'. */
const ORDERS = {
  account: { id: 9100001, customer: 71001, email: 'Gone.Person@Example.com' },
  guest: { id: 9100002, customer: null, email: 'gone.person@example.com' },
  other: { id: 9100003, customer: 72002, email: 'kept@example.com' },
  sentinel: { id: 9100004, customer: 73003, email: 'sentinel@example.com' },
  // a guest who later signs up as customer 74004 (profile-builder merges the guest into it)
  merged: { id: 9100005, customer: null, email: 'merged.guest@example.com' },
  later: { id: 9100006, customer: null, email: 'Merged.Guest@example.com' },
} as const;
/** Placed by the merge test, after the merge. */
const AFTER_MERGE: readonly OrderName[] = ['later'];
type OrderName = keyof typeof ORDERS;

beforeAll(async () => {
  h = await startHarness({
    INGEST_STORES_FILE: join(__dirname, 'fixtures', 'stores.yaml'),
    INGEST_STORE_SECRETS: `acme:${SECRET}`,
  });
  producer = createProducer({
    kafka,
    serde,
    logger,
    schemas: { [h.profileChangesTopic]: SCHEMAS['profile-changes.v1'] },
  });
  await producer.connect();
}, 60_000);

afterAll(async () => {
  await producer?.close();
  await h?.stop();
}, 60_000);

const keys = () => createKeyspace(h.redis.prefix.replace(/:$/, ''));
const ownerKey = (name: OrderName) =>
  orderKeys(keys(), orderTag('acme', String(ORDERS[name].id))).owner;
const indexOf = (identity: string) =>
  h.redis.client.smembers(customerOrdersKey(keys(), identityHash(identity)));

async function placeOrder(name: OrderName): Promise<void> {
  const o = ORDERS[name];
  const body = JSON.stringify({
    ...order,
    id: o.id,
    email: o.email,
    contact_email: o.email,
    customer: o.customer === null ? null : { id: o.customer, email: o.email },
  });
  const res = await fetch(`${h.url}/v1/webhooks/shopify/acme`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
    },
    body,
  });
  expect(res.status).toBe(200);
}

function tombstone(customerId: string, mergedInto: string | null = null): ProfileChange {
  return {
    customerId,
    version: 7,
    eventId: null,
    eventType: null,
    eventOccurredAt: null,
    at: Date.now(),
    changed: ['identities'],
    profile: {
      email: null,
      userIds: [],
      anonymousIds: [],
      firstSeenAt: null,
      lastSeenAt: null,
      traits: {},
      aggregates: {},
    },
    mergedFrom: [],
    mergedInto,
    tombstone: true,
  };
}

const publish = (change: ProfileChange) =>
  producer.send(h.profileChangesTopic, { key: change.customerId, value: change });

/** Every order-book key (owners, pending calls, indexes) with its value. */
async function snapshot(): Promise<Record<string, unknown>> {
  const redis = h.redis.client;
  const out: Record<string, unknown> = {};
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${h.redis.prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of batch.filter((k) => /\{ingest:(ord|cust):/.test(k))) {
      const type = await redis.type(key);
      if (type === 'string') out[key] = await redis.get(key);
      else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
      else if (type === 'list') out[key] = await redis.lrange(key, 0, -1);
      else out[key] = type;
    }
  } while (cursor !== '0');
  return out;
}

/** Publishes a tombstone for the sentinel customer and waits until it is erased: every record
 * published before it on the (one-partition) topic has been handled by then. */
async function drained(): Promise<void> {
  await publish(tombstone(`u:${ORDERS.sentinel.customer}`));
  await waitFor(async () => (await h.redis.client.exists(ownerKey('sentinel'))) === 0, {
    description: 'the sentinel erasure',
  });
}

describe('erasure tombstones reach the order book', () => {
  it('indexes each order under every identity it names, with the owner record’s expiry', async () => {
    for (const name of Object.keys(ORDERS) as OrderName[])
      if (!AFTER_MERGE.includes(name)) await placeOrder(name);
    const tag = (name: OrderName) => orderTag('acme', String(ORDERS[name].id));
    expect(await h.redis.client.get(ownerKey('account'))).toBe(
      JSON.stringify({ userId: String(ORDERS.account.customer) }),
    );
    expect(await indexOf(`u:${ORDERS.account.customer}`)).toEqual([tag('account')]);
    // A guest's email is also its anonymousId; emails as profile-builder normalizes them.
    expect(await indexOf('a:gone.person@example.com')).toEqual([tag('guest')]);
    expect((await indexOf('e:gone.person@example.com')).sort()).toEqual(
      [tag('account'), tag('guest')].sort(),
    );
    const index = customerOrdersKey(keys(), identityHash(`u:${ORDERS.account.customer}`));
    expect(await h.redis.client.pttl(index)).toBeGreaterThan(0);
    // No key name holds the email.
    expect(Object.keys(await snapshot()).filter((k) => /example\.com/i.test(k))).toEqual([]);
  });

  it('moves a merged-away guest’s orders to the survivor, so erasing the survivor reaches them', async () => {
    const tag = (name: OrderName) => orderTag('acme', String(ORDERS[name].id));
    const survivor = 'u:74004';
    const other = await h.redis.client.get(ownerKey('other'));
    // profile-builder merged the guest (canonical id: its email) into the signed-up customer
    await publish(tombstone('e:merged.guest@example.com', survivor));
    await drained();
    await placeOrder('sentinel');
    expect(await indexOf(survivor)).toEqual([tag('merged')]);
    expect(await indexOf('e:merged.guest@example.com')).toEqual([]);
    // a guest order naming the merged-away email later is indexed under the survivor too
    await placeOrder('later');
    expect((await indexOf(survivor)).sort()).toEqual([tag('merged'), tag('later')].sort());

    await publish(tombstone(survivor));
    await drained();
    expect(await h.redis.client.exists(ownerKey('merged'), ownerKey('later'))).toBe(0);
    expect(await indexOf(survivor)).toEqual([]);
    expect(await indexOf('a:merged.guest@example.com')).toEqual([]);
    expect(await h.redis.client.get(ownerKey('other'))).toBe(other);
  });

  it('deletes the erased customer’s owner records and index, and a redelivery changes nothing', async () => {
    const other = {
      owner: await h.redis.client.get(ownerKey('other')),
      index: await indexOf(`u:${ORDERS.other.customer}`),
    };
    await publish(tombstone('e:Gone.Person@example.com'));
    await waitFor(
      async () =>
        (await h.redis.client.exists(ownerKey('account'), ownerKey('guest'))) === 0 || undefined,
      { description: "the erased customer's owner records deleted" },
    );
    await drained();
    expect(await indexOf('e:gone.person@example.com')).toEqual([]);
    // The other identities that indexed the erased orders no longer list them.
    expect(await indexOf(`u:${ORDERS.account.customer}`)).toEqual([]);
    expect(await indexOf('a:gone.person@example.com')).toEqual([]);
    const after = await snapshot();
    const tags = ['account', 'guest'].map((n) => String(ORDERS[n as OrderName].id));
    expect(Object.keys(after).filter((k) => tags.some((t) => k.includes(t)))).toEqual([]);
    // Another customer's records are untouched.
    expect(await h.redis.client.get(ownerKey('other'))).toBe(other.owner);
    expect(other.owner).not.toBeNull();
    expect(await indexOf(`u:${ORDERS.other.customer}`)).toEqual(other.index);
    expect(other.index).toHaveLength(1);

    await placeOrder('sentinel');
    const before = await snapshot();
    await publish(tombstone('e:gone.person@example.com'));
    await drained();
    await placeOrder('sentinel');
    expect(await snapshot()).toEqual(before);
  });
});

describe('the erasure consumer', () => {
  it('fails the start when its topic does not exist, naming the variable to change', async () => {
    await expect(
      startHarness({ INGEST_PROFILE_CHANGES_TOPIC: 'ingest-test-no-such-topic' }),
    ).rejects.toThrow(/ingest-test-no-such-topic.*INGEST_PROFILE_CHANGES_TOPIC/);
  }, 60_000);
});
