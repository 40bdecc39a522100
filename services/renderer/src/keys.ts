import type { Keyspace } from '@pulse/redis';

/** Every Redis key of the renderer; one hash tag per customer so scripts may touch them together. */
export function rendererKeys(keyspace: Keyspace) {
  return {
    send: (customerId: string, emailId: string) =>
      keyspace.tagged(customerId, 'rn', 'send', emailId),
    marketingSends: (customerId: string) => keyspace.tagged(customerId, 'rn', 'sends', 'marketing'),
    campaignSends: (customerId: string, campaignId: string) =>
      keyspace.tagged(customerId, 'rn', 'sends', 'c', campaignId),
    suppression: (customerId: string) => keyspace.tagged(customerId, 'rn', 'suppressed'),
    /** Index of the customer's send records (email ids), so an erasure finds every one. */
    customerEmails: (customerId: string) => keyspace.tagged(customerId, 'rn', 'index', 'emails'),
    /** Index of the campaigns whose send zsets the customer has (`sends:c:<id>`), for erasure. */
    customerCampaigns: (customerId: string) =>
      keyspace.tagged(customerId, 'rn', 'index', 'campaigns'),
    /** Segment entries already mailed per campaign: `<campaign>|<segment>|<enteredAt>` → emailId. */
    entries: (customerId: string) => keyspace.tagged(customerId, 'rn', 'entries'),
    /**
     * Live attribution of one customer (tag: `customerKey`, the id events.v1 carries): sends and
     * holdouts in the window, their first open / click, conversions, orders already counted.
     */
    attribution: (customerKey: string) => keyspace.tagged(customerKey, 'rn', 'attr'),
    /** Unsubscribes of erased customers: sha256 of the customer id → when, 256 shards. */
    erasedUnsubscribes: (shard: string) => keyspace.plain('rn', 'unsubscribed', shard),
    /** Imported suppression lists: hash of `<algo>:<hex>` → `<scope>|<source>`, 256 shards. */
    listedEmails: (shard: string) => keyspace.plain('rn', 'listed', shard),
    /** A campaign's control state: hash { state: active|paused|killed, at, by }. */
    campaignControl: (campaignId: string) =>
      keyspace.plain('rn', 'campaign', campaignId, 'control'),
    /** Timer ids of emails held because their campaign is paused (released on resume). */
    campaignPaused: (campaignId: string) => keyspace.plain('rn', 'campaign', campaignId, 'paused'),
    /** When the campaign first ran (ms), for `launch: new-entrants-only`. */
    campaignLaunch: (campaignId: string) =>
      keyspace.plain('rn', 'campaign', campaignId, 'launched'),
    /** The `existing-members` backfill of a campaign: hash { offset, done, total, at }. */
    campaignBackfill: (campaignId: string) =>
      keyspace.plain('rn', 'campaign', campaignId, 'backfill'),
    /** Who runs that backfill now (SET NX PX: one renderer copy at a time). */
    campaignBackfillLease: (campaignId: string) =>
      keyspace.plain('rn', 'campaign', campaignId, 'backfill-lease'),
  };
}

export type RendererKeys = ReturnType<typeof rendererKeys>;
