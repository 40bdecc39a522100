import { describe, expect, it } from '@jest/globals';
import { parseSources } from './sources';
import { parseStores, parseStoreSecrets, storeSource, withOrderSystems } from './stores';

const YAML = `stores:
  - id: acme
    platform: shopify
    sources: [backend]
  - id: woo
    platform: woocommerce
`;

describe('stores', () => {
  it("reads stores with their secrets and names their sources' order system", () => {
    const stores = parseStores(YAML, 'stores.yaml', parseStoreSecrets(['acme:s3:cr3t']));
    expect(stores).toEqual([
      { id: 'acme', platform: 'shopify', secret: 's3:cr3t', sources: ['backend'] },
      { id: 'woo', platform: 'woocommerce', secret: undefined, sources: [] },
    ]);
    const dir = withOrderSystems(parseSources(['web:wk:browser', 'backend:sk:server']), stores);
    expect(dir.authenticate('sk')).toEqual({ id: 'backend', trust: 'server', orderSystem: 'acme' });
    expect(dir.authenticate('wk')).toEqual({ id: 'web', trust: 'browser' });
    expect(storeSource(stores[0]!)).toEqual({
      id: 'shopify:acme',
      trust: 'server',
      orderSystem: 'acme',
    });
  });

  it('lists every problem in one error', () => {
    const bad = `stores:
  - id: "bad id"
    platform: magento
  - id: a
    platform: shopify
    sources: [x]
  - id: a
    platform: shopify
    sources: [x]
`;
    expect(() => parseStores(bad, 'f.yaml', new Map([['ghost', 'k']]))).toThrow(
      /f\.yaml: stores\[0\]\.id .*stores\[0\]\.platform .*"a" repeats.*source "x" is listed by "a" and "a".*"ghost", not a store/,
    );
    expect(() => parseStoreSecrets(['nocolon'])).toThrow(/storeId:secret/);
  });
});
