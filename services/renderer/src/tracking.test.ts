import { describe, expect, it } from '@jest/globals';
import { verifyEmailToken } from '@pulse/email-token';
import { trackEmailLinks } from './tracking';

const tracking = { baseUrl: 'https://t.shop.example.com/', secret: 's3cret' };
const send = {
  emailId: 'em-1',
  customerId: 'c-1',
  campaignId: 'welcome',
  variant: 'B',
  keep: ['https://shop.example.com/v1/unsubscribe?t=abc'],
};

describe('trackEmailLinks', () => {
  it('signs click links ingest verifies back to the original URL, and adds an open pixel', () => {
    const html =
      '<body><a href="https://shop.example.com/p?a&#x3D;1&amp;b&#x3D;2">p</a>' +
      '<a href="https://shop.example.com/v1/unsubscribe?t=abc">unsubscribe</a>' +
      '<a href="mailto:help@shop.example.com">help</a></body>';
    const out = trackEmailLinks(html, tracking, send);
    const click = /href="https:\/\/t\.shop\.example\.com\/v1\/email\/click\/([^"]+)"/.exec(out);
    expect(verifyEmailToken('s3cret', click?.[1] ?? '')).toEqual({
      s: 'em-1',
      p: 'c-1',
      c: 'welcome',
      v: 'B',
      u: 'https://shop.example.com/p?a=1&b=2',
    });
    expect(out).toContain('href="https://shop.example.com/v1/unsubscribe?t=abc"');
    expect(out).toContain('href="mailto:help@shop.example.com"');
    const open = /src="https:\/\/t\.shop\.example\.com\/v1\/email\/open\/([^"]+)\.gif"/.exec(out);
    expect(verifyEmailToken('s3cret', open?.[1] ?? '')).toEqual({
      s: 'em-1',
      p: 'c-1',
      c: 'welcome',
      v: 'B',
    });
    expect(out.indexOf('/v1/email/open/')).toBeLessThan(out.indexOf('</body>'));
  });

  it('leaves the variant out when the campaign has none', () => {
    const out = trackEmailLinks('<p>x</p>', tracking, { ...send, variant: null });
    const open = /\/v1\/email\/open\/([^"]+)\.gif/.exec(out);
    expect(verifyEmailToken('s3cret', open?.[1] ?? '')).toEqual({
      s: 'em-1',
      p: 'c-1',
      c: 'welcome',
    });
  });
});
