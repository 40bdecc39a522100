import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { emptyDump } from './dump';
import { profileState } from './profile-state';
import { evaluateTags, loadTags, parseTags } from './tags';
import type { TagInput } from './tag-fields';

const SHIPPED = path.resolve(__dirname, '../../../config/tags.yaml');

function input(p: Record<string, string>, affinity: TagInput['affinity'] = []): TagInput {
  const dump = emptyDump();
  Object.assign(dump.p, p);
  return {
    state: profileState('u:x', 1, dump),
    affinity,
    daysSinceLastPurchase: null,
    openRate: null,
    clickRate: null,
    rfm: null,
  };
}

describe('behavioural tags', () => {
  const shipped = loadTags(SHIPPED);

  it('ships the former constants as config and evaluates them', () => {
    const discount = input({ orders: '4', discountedOrders: '2', spentCents: '60000' });
    expect(evaluateTags(shipped, discount)).toEqual(['discount-driven', 'big-spender']);
    const lover = input({ productViews: '3' }, [
      { category: 'Shoes', score: 7 },
      { category: 'Hats', score: 3 },
    ]);
    expect(evaluateTags(shipped, lover)).toEqual(['category-lover:Shoes']);
    expect(
      evaluateTags(shipped, input({ productViews: '2' }, [{ category: 'Shoes', score: 1 }])),
    ).toEqual([]);
    expect(evaluateTags(shipped, input({ unsubscribed: 'true' }))).toEqual(['unmailable']);
    // no orders: the discount share has no value, so the comparison is false
    expect(evaluateTags(shipped, input({}))).toEqual([]);
  });

  it('supports not, any, between and symbols', () => {
    const { tags, problems } = parseTags(`
tags:
  - name: mid
    when:
      all:
        - { field: orders, between: [2, 3] }
        - not: { field: spent, '>=': 100 }
`);
    expect(problems).toEqual([]);
    expect(evaluateTags(tags, input({ orders: '2', spentCents: '5000' }))).toEqual(['mid']);
    expect(evaluateTags(tags, input({ orders: '2', spentCents: '15000' }))).toEqual([]);
    expect(evaluateTags(tags, input({ orders: '4', spentCents: '5000' }))).toEqual([]);
  });

  it('reports every bad tag with its line and column', () => {
    const { problems } = parseTags(`tags:
  - name: a
    when: { field: nope, gt: 1 }
  - name: b
    when: { field: orders, gt: many }
  - name: c
    colour: red
  - name: d-{who}
    when: { field: orders, gt: 1 }
  - name: e
    when: { all: [] }
`);
    expect(problems.map((p) => [p.line, p.message.split(' (')[0]])).toEqual([
      [3, "unknown field 'nope'"],
      [5, "'gt' of orders needs a number"],
      [7, "unknown key 'colour' in a tag"],
      [8, 'unknown placeholder {who}'],
      [11, "'all' needs a non-empty list of conditions"],
    ]);
    expect(parseTags('tags: [').problems[0]?.line).toBe(1);
  });
});
