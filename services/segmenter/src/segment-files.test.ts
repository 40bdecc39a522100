import { describe, expect, it } from '@jest/globals';
import { loadSegments } from './segment-files';

describe('loadSegments', () => {
  it('reports an invalid file with its line and keeps the valid ones', () => {
    const { set, problems } = loadSegments([
      {
        file: 'ok.yaml',
        text: 'id: ok\nname: OK\ndescription: fine\nrule:\n  event: page\n  within: 7d\n',
      },
      {
        file: 'bad.yaml',
        text: 'id: bad\nname: Bad\ndescription: typo\nrule:\n  trait: no_such_trait\n  eq: 1\n',
      },
    ]);
    expect(set.segments.map((s) => s.id)).toEqual(['ok']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^bad\.yaml:\d+:\d+: /);
  });
});
