import { describe, expect, it } from '@jest/globals';
import { parsePreviewArgs } from './preview-args';

describe('pulse preview / send-test arguments', () => {
  it('parses a real profile, a fixture and the output folder', () => {
    expect(parsePreviewArgs(['--campaign', 'welcome', '--profile', 'c-1'], 'preview')).toEqual({
      ok: true,
      args: { campaign: 'welcome', profile: 'c-1', out: '.' },
    });
    expect(
      parsePreviewArgs(
        ['--campaign', 'welcome', '--fixture', 'f.json', '--variant', 'B', '--out', 'tmp'],
        'preview',
      ),
    ).toEqual({
      ok: true,
      args: { campaign: 'welcome', fixture: 'f.json', variant: 'B', out: 'tmp' },
    });
  });

  it('needs --to for send-test, and refuses flags of the other command', () => {
    const base = ['--campaign', 'welcome', '--profile', 'c-1'];
    expect(parsePreviewArgs(base, 'send-test')).toEqual({ ok: false, error: '--to is required' });
    expect(parsePreviewArgs([...base, '--to', 'a@x.test'], 'send-test')).toMatchObject({
      ok: true,
      args: { to: 'a@x.test' },
    });
    expect(parsePreviewArgs([...base, '--to', 'a@x.test'], 'preview')).toMatchObject({ ok: false });
  });

  it('names what is missing or wrong', () => {
    expect(parsePreviewArgs(['--profile', 'c-1'], 'preview')).toEqual({
      ok: false,
      error: '--campaign is required',
    });
    expect(parsePreviewArgs(['--campaign', 'w'], 'preview')).toEqual({
      ok: false,
      error: 'give --profile ID or --fixture file.json',
    });
    expect(parsePreviewArgs(['--campaign', 'w', '--bogus', 'x'], 'preview')).toEqual({
      ok: false,
      error: 'unknown option --bogus',
    });
    expect(parsePreviewArgs(['--campaign', '--profile', 'c'], 'preview')).toEqual({
      ok: false,
      error: '--campaign needs a value',
    });
  });
});
