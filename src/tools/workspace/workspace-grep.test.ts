import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandboxTools } from '../sandbox-test-support.ts';
import { createSearchLimit, findMatches } from './workspace-grep.ts';
import { createWorkspaceStore } from './workspace-store.ts';

const options = { ignoreCase: false, maxMatches: 10, maxFileBytes: 10_000, searches: createSearchLimit() };

describe('file_grep against catastrophic backtracking', () => {
  let root: string;
  const store = () => createWorkspaceStore({ root, quotaBytes: 100_000, maxEntries: 1000 });

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'colloquy-grep-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('stops patterns the nested-quantifier check misses, and the event loop keeps running', async () => {
    const workspace = store();
    // Each would backtrack for minutes (or years) on the main thread.
    await workspace.write('user-one', [{ path: 'bait.txt', data: Buffer.from(`${'a'.repeat(40)}!\n`) }]);
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 20);
    try {
      for (const pattern of ['(a|a)*b', '(a|aa)+$', '\\w*\\w*\\w*\\w*\\w*\\w*y']) {
        const started = Date.now();
        await assert.rejects(findMatches(workspace, 'user-one', '.', pattern, options, 300), /the pattern took too long \(over 0.3 s\); simplify it/);
        assert.ok(Date.now() - started < 3000, `${pattern} took ${Date.now() - started} ms`);
      }
    } finally {
      clearInterval(ticker);
    }
    assert.ok(ticks >= 20, `the event loop ran only ${ticks} ticks while the patterns were tried`);
  });

  it('still finds matches, skips binary files and keeps the match cap', async () => {
    const workspace = store();
    await workspace.write('user-two', [
      { path: 'a.txt', data: Buffer.from('one\ntwo\nthree\n') },
      { path: 'sub/b.txt', data: Buffer.from('two again\n') },
      { path: 'bin.dat', data: Buffer.from([116, 119, 111, 0, 1]) },
    ]);
    const found = await findMatches(workspace, 'user-two', '.', 't[wh]', options);
    assert.deepEqual(found, {
      matches: [
        { path: 'a.txt', line: 2, text: 'two' },
        { path: 'a.txt', line: 3, text: 'three' },
        { path: 'sub/b.txt', line: 1, text: 'two again' },
      ],
      truncated: false,
      files_searched: 3,
    });
    const capped = await findMatches(workspace, 'user-two', 'a.txt', '.', { ...options, maxMatches: 2 });
    assert.equal(capped.matches.length, 2);
    assert.equal(capped.truncated, true);
    await assert.rejects(findMatches(workspace, 'user-two', 'missing', 'x', options), /missing does not exist/);
    await assert.rejects(findMatches(workspace, 'user-two', '.', '(', options), /invalid regular expression/);
  });

  it('answers the model a clear tool error through file_grep', async () => {
    const sandbox = await startSandboxTools();
    try {
      await sandbox.call('file_write', { path: 'bait.txt', content: 'a'.repeat(40) });
      const result = await sandbox.call('file_grep', { pattern: '(a|a)*b' });
      assert.equal(result.isError, true);
      assert.match(result.output, /the pattern took too long \(over 2 s\); simplify it/);
    } finally {
      await sandbox.close();
    }
  });
});

describe('file_grep concurrency and the workspace lock', () => {
  it('runs at most two searches at once, and a user’s lock is taken in order and released when idle', async () => {
    const searches = createSearchLimit();
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        searches(async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inside -= 1;
        }),
      ),
    );
    assert.equal(most, 2);
    const { createUserLocks } = await import('./workspace-lock.ts');
    const locks = createUserLocks();
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((index) =>
        locks.hold('user', async () => {
          order.push(index);
          await new Promise((resolve) => setTimeout(resolve, 3 - index));
          order.push(index);
        }),
      ),
    );
    assert.deepEqual(order, [0, 0, 1, 1, 2, 2, 3, 3], 'one holder at a time, first come first served');
  });
});
