import { describe, expect, it } from '@jest/globals';
import Handlebars from 'handlebars';
import { decodeAttribute, trackLinks } from './tracking-links';

const track = (url: string) => `https://t.example/c/${encodeURIComponent(url)}`;

describe('trackLinks', () => {
  it('rewrites http(s) anchors to the tracker with the URL the browser would have opened', () => {
    const url = 'https://shop.example.com/p/1?utm_source=email&x=1';
    // The escaping Handlebars really applies to `{{url}}` in an attribute.
    const html = Handlebars.compile('<p><a class="btn" href="{{url}}">Shop</a></p>')({ url });
    expect(html).toContain('&amp;');
    const seen: string[] = [];
    const out = trackLinks(html, {
      click: (u) => {
        seen.push(u);
        return track(u);
      },
      pixel: null,
    });
    expect(seen).toEqual([url]);
    expect(out).toBe(`<p><a class="btn" href="${track(url)}">Shop</a></p>`);
  });

  it('leaves mailto, tel, anchors and declined links (unsubscribe) as written', () => {
    const unsubscribe = 'https://shop.example.com/v1/unsubscribe?t=abc';
    const html = [
      '<a href="mailto:help@shop.example.com">mail</a>',
      "<a href='tel:+1555'>call</a>",
      '<a href="#top">top</a>',
      `<a href="${unsubscribe}">unsubscribe</a>`,
      "<a title='x' href='http://shop.example.com/a'>a</a>",
    ].join('');
    const out = trackLinks(html, {
      click: (u) => (u === unsubscribe ? null : track(u)),
      pixel: null,
    });
    expect(out).toBe(
      [
        '<a href="mailto:help@shop.example.com">mail</a>',
        "<a href='tel:+1555'>call</a>",
        '<a href="#top">top</a>',
        `<a href="${unsubscribe}">unsubscribe</a>`,
        `<a title='x' href="${track('http://shop.example.com/a')}">a</a>`,
      ].join(''),
    );
  });

  it('does not touch other tags with an href, such as <link>', () => {
    const html =
      '<link href="https://fonts.example/x.css" rel="stylesheet"><area href="https://x">';
    expect(trackLinks(html, { click: track, pixel: null })).toBe(html);
  });

  it('adds the open pixel right before </body>, or at the end when there is none', () => {
    const pixel = 'https://t.example/o/tok';
    const withBody = trackLinks('<html><body><p>Hi</p></BODY></html>', { click: track, pixel });
    expect(withBody).toMatch(
      /^<html><body><p>Hi<\/p><img src="https:\/\/t\.example\/o\/tok" width="1" height="1" alt=""[^>]*><\/BODY><\/html>$/,
    );
    expect(trackLinks('<p>Hi</p>', { click: track, pixel })).toMatch(/^<p>Hi<\/p><img src=/);
  });
});

describe('decodeAttribute', () => {
  it('decodes named and numeric entities, and keeps unknown ones', () => {
    expect(decodeAttribute('a&#x3D;1&amp;b&#61;&quot;&#x27;&lt;&gt;&nbsp;')).toBe(
      'a=1&b="\'<>&nbsp;',
    );
  });
});
