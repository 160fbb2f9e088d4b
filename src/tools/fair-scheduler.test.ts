import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createFairScheduler } from './fair-scheduler.ts';

/** A run that ends when told to, recording when it started. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('fair scheduler', () => {
  it('gives free slots to users in turn, each under its running cap', async () => {
    const scheduler = createFairScheduler({ name: 'test', slots: 2, perUserRunning: 2, perUserQueued: 10 });
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const submit = (userId: string, label: string) => {
      const own = gate();
      gates.set(label, own);
      return scheduler.run(userId, new AbortController().signal, async () => {
        started.push(label);
        await own.opened;
        return label;
      });
    };
    const runs = [
      ...['a1', 'a2', 'a3', 'a4', 'a5'].map((label) => submit('a', label)),
      submit('b', 'b1'),
      submit('b', 'b2'),
      submit('c', 'c1'),
    ];
    await Promise.resolve();
    assert.deepEqual(started, ['a1', 'a2']);
    gates.get('a1')!.open();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(started, ['a1', 'a2', 'a3'], 'a was first in turn');
    gates.get('a2')!.open();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(started.slice(3), ['b1']);
    gates.get('a3')!.open();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(started.slice(4), ['c1'], 'c comes before a again');
    for (const own of gates.values()) own.open();
    assert.deepEqual((await Promise.all(runs)).sort(), ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'c1']);
    assert.deepEqual(started.slice(5), ['a4', 'b2', 'a5']);
  });

  it('refuses one run past the queue cap with RATE_LIMITED, and an aborted wait frees its place', async () => {
    const scheduler = createFairScheduler({ name: 'test', slots: 1, perUserRunning: 1, perUserQueued: 2 });
    const blocker = gate();
    const first = scheduler.run('a', new AbortController().signal, () => blocker.opened);
    const abort = new AbortController();
    const queued = [scheduler.run('a', abort.signal, async () => 'second'), scheduler.run('a', new AbortController().signal, async () => 'third')];
    await assert.rejects(
      scheduler.run('a', new AbortController().signal, async () => 'fourth'),
      (error: AppError) => error.code === 'RATE_LIMITED' && /1 running and 2 queued, and at most 2 may wait/.test(error.message),
    );
    abort.abort();
    await assert.rejects(queued[0]!);
    assert.deepEqual(scheduler.state('a'), { running: 1, queued: 1, active: 1 });
    const fourth = scheduler.run('a', new AbortController().signal, async () => 'fourth');
    blocker.open();
    await first;
    assert.deepEqual([await queued[1], await fourth], ['third', 'fourth']);
    assert.deepEqual(scheduler.state('a'), { running: 0, queued: 0, active: 0 });
  });

  it('does not let many concurrent submissions exceed the slots', async () => {
    const scheduler = createFairScheduler({ name: 'test', slots: 3, perUserRunning: 2, perUserQueued: 100 });
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        scheduler.run(`user-${index % 5}`, new AbortController().signal, async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 2));
          inside -= 1;
        }),
      ),
    );
    assert.equal(most, 3);
  });
});
