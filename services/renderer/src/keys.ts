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
  };
}

export type RendererKeys = ReturnType<typeof rendererKeys>;
