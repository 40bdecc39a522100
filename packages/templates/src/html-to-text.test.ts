import { describe, expect, it } from '@jest/globals';
import { htmlTemplateToText, htmlToText, tidyText } from './html-to-text';

describe('htmlToText', () => {
  it('keeps link targets, turns blocks into lines and decodes entities', () => {
    expect(
      htmlToText('<h1>Hi &amp; welcome</h1><p>See <a href="https://x/y">our shop</a></p>'),
    ).toBe('Hi & welcome\nSee our shop (https://x/y)');
  });
});

describe('htmlTemplateToText', () => {
  it('converts the markup once and keeps every mustache verbatim', () => {
    const source =
      '<h1>Hi {{firstName}},</h1>\n<p>{{pluralize cart.itemCount "item"}}  &amp; <a href="{{links.cart}}">your cart</a></p>\n{{#if x}}<b>{{{body}}}</b>{{/if}}';
    expect(htmlTemplateToText(source, () => null)).toBe(
      'Hi {{firstName}},\n\n{{pluralize cart.itemCount "item"}} & your cart ({{links.cart}})\n\n{{#if x}}{{{body}}}{{/if}}',
    );
  });

  it('points partial calls at their text twins when there is one', () => {
    const twin = (name: string) => (name === 'footer' ? 'footer-text' : null);
    expect(htmlTemplateToText('<p>{{> footer}}</p>{{~> other}}', twin)).toBe(
      '{{> footer-text}}\n{{~> other}}',
    );
  });
});

describe('tidyText', () => {
  it('keeps at most one blank line', () => {
    expect(tidyText('\n a\n\n \n\nb\n\n')).toBe('a\n\nb');
  });
});
