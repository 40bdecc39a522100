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
  };
}

export type RendererKeys = ReturnType<typeof rendererKeys>;
