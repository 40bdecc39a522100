import { describe, expect, it } from '@jest/globals';
import { espTagHeaders, parseEspFormats } from './esp-tags';
import { nodemailerHeaders } from './mailer';

const tags = {
  emailId: 'em-0123abcd',
  customerId: 'u:42',
  campaignId: 'cart-abandon-1',
  variant: 'B',
};
const ids = {
  pulse_send_id: 'em-0123abcd',
  pulse_customer_id: 'u:42',
  pulse_campaign_id: 'cart-abandon-1',
  pulse_variant: 'B',
};

describe('espTagHeaders', () => {
  it('gives each ESP the ids in the header its relay turns into webhook fields', () => {
    const h = espTagHeaders(tags);
    expect(JSON.parse(h['X-SMTPAPI']!)).toEqual({ unique_args: ids });
    expect(JSON.parse(h['X-Mailgun-Variables']!)).toEqual(ids);
    expect(h['X-PM-Metadata-pulse_send_id']).toBe('em-0123abcd');
    expect(h['X-PM-Metadata-pulse_customer_id']).toBe('u:42');
    expect(h['X-PM-Metadata-pulse_variant']).toBe('B');
  });

  it('keeps SES tag values within [A-Za-z0-9_-], the customer id in base64url', () => {
    const ses = espTagHeaders(tags, ['ses'])['X-SES-MESSAGE-TAGS']!;
    const pairs = Object.fromEntries(ses.split(', ').map((p) => p.split('=')));
    expect(pairs).toEqual({
      pulse_send_id: 'em-0123abcd',
      pulse_campaign_id: 'cart-abandon-1',
      pulse_variant: 'B',
      pulse_customer_b64: Buffer.from('u:42').toString('base64url'),
    });
    for (const v of Object.values(pairs)) expect(v).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('leaves the variant out when there is none and emits only the formats asked for', () => {
    const h = espTagHeaders({ ...tags, variant: null }, ['mailgun']);
    expect(Object.keys(h)).toEqual(['X-Mailgun-Variables']);
    expect(JSON.parse(h['X-Mailgun-Variables']!)).not.toHaveProperty('pulse_variant');
  });

  it('keeps JSON headers printable ASCII, so they go out unencoded (nodemailerHeaders)', () => {
    const h = espTagHeaders({ ...tags, customerId: 'u:jörg' }, ['mailgun']);
    expect(h['X-Mailgun-Variables']).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(h['X-Mailgun-Variables']!).pulse_customer_id).toBe('u:jörg');
    const mail = {
      from: 'a@b.c',
      to: 'd@e.f',
      subject: 's',
      html: '',
      text: '',
      messageId: '<m@x>',
    };
    expect(
      nodemailerHeaders({
        ...mail,
        headers: { A: '1' },
        rawHeaders: { ...h, 'X-PM-Metadata-x': 'jörg' },
      }),
    ).toEqual({
      A: '1',
      'X-Mailgun-Variables': { prepared: true, value: h['X-Mailgun-Variables'] },
      'X-PM-Metadata-x': 'jörg', // not ASCII: left to nodemailer's encoding
    });
  });

  it('parses RENDERER_ESP_TAGS, naming unknown formats', () => {
    expect(parseEspFormats(['SES', 'postmark'])).toEqual({
      formats: ['ses', 'postmark'],
      unknown: [],
    });
    expect(parseEspFormats(['none'])).toEqual({ formats: [], unknown: [] });
    expect(parseEspFormats(['sendgird']).unknown).toEqual(['sendgird']);
  });
});
