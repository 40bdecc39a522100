import { describe, expect, it } from '@jest/globals';
import { publicEndpoint, segmentSettings } from './browser-routes';

describe('publicEndpoint', () => {
  const request = { host: '10.0.0.5:8080', protocol: 'http' };

  it("uses the request's host and protocol by default", () => {
    expect(publicEndpoint(undefined, request)).toEqual({
      apiHost: '10.0.0.5:8080',
      protocol: 'http',
    });
  });

  it('takes the host of INGEST_PUBLIC_HOST, and its scheme when it has one (TLS proxy)', () => {
    expect(publicEndpoint('ingest.shop.test', request)).toEqual({
      apiHost: 'ingest.shop.test',
      protocol: 'http',
    });
    expect(publicEndpoint('https://ingest.shop.test/', request)).toEqual({
      apiHost: 'ingest.shop.test',
      protocol: 'https',
    });
  });
});

describe('segmentSettings', () => {
  it("points analytics.js's Segment.io destination at ingest's /v1 and turns off its metrics", () => {
    const settings = segmentSettings('wk', 'ingest.shop.test', 'https');
    expect(settings.integrations['Segment.io']).toMatchObject({
      apiKey: 'wk',
      apiHost: 'ingest.shop.test/v1',
      protocol: 'https',
    });
    expect(settings.metrics.sampleRate).toBe(0);
    expect(settings.remotePlugins).toEqual([]);
  });
});
