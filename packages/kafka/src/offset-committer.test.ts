import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { OffsetCommitter, type CommitOffsets } from './offset-committer';

type Topics = Parameters<CommitOffsets>[0]['topics'];

/** A commit function that records its calls and holds each open until released. */
function gatedCommit() {
  const calls: Topics[] = [];
  const releases: ((err?: Error) => void)[] = [];
  const commit: CommitOffsets = (offsets) => {
    calls.push(offsets.topics);
    return new Promise<void>((resolve, reject) => {
      releases.push((err) => (err ? reject(err) : resolve()));
    });
  };
  const release = async (err?: Error): Promise<void> => {
    releases.shift()?.(err);
    // Let the committer see the answer and start its next request.
    await new Promise((r) => setImmediate(r));
  };
  return { commit, calls, release };
}

describe('OffsetCommitter', () => {
  it('keeps one request in flight and coalesces what is asked meanwhile, newest offset winning', async () => {
    const { commit, calls, release } = gatedCommit();
    const committer = new OffsetCommitter(silentLogger());
    committer.request(commit, 't', 0, '10');
    committer.request(commit, 't', 0, '20');
    committer.request(commit, 't', 1, '5');
    committer.request(commit, 'u', 2, '7');
    committer.request(commit, 't', 0, '30');
    expect(calls).toEqual([[{ topic: 't', partitions: [{ partition: 0, offset: '10' }] }]]);
    await release();
    expect(calls[1]).toEqual([
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: '30' },
          { partition: 1, offset: '5' },
        ],
      },
      { topic: 'u', partitions: [{ partition: 2, offset: '7' }] },
    ]);
    const flushed = committer.flush();
    await release();
    await flushed;
    expect(calls).toHaveLength(2);
  });

  it('logs a failed commit, drops it and goes on with later requests', async () => {
    const { commit, calls, release } = gatedCommit();
    const warnings: unknown[] = [];
    const logger = { ...silentLogger(), warn: (...args: unknown[]) => warnings.push(args) };
    const committer = new OffsetCommitter(logger as unknown as ReturnType<typeof silentLogger>);
    committer.request(commit, 't', 0, '10');
    committer.request(commit, 't', 0, '11');
    await release(new Error('rebalance in progress'));
    expect(warnings).toHaveLength(1);
    expect(calls[1]).toEqual([{ topic: 't', partitions: [{ partition: 0, offset: '11' }] }]);
    const flushed = committer.flush();
    await release();
    await flushed;
  });
});
