import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryRunLog, type SetTimer } from './memory-run-log.ts';
import { collect, seqsOf, textDelta } from './run-log-test-support.ts';

function manualTimers() {
  const timers: Array<{ callback: () => void; milliseconds: number; cancelled: boolean }> = [];
  const setTimer: SetTimer = (callback, milliseconds) => {
    const timer = { callback, milliseconds, cancelled: false };
    timers.push(timer);
    return () => (timer.cancelled = true);
  };
  return { timers, setTimer };
}

describe('memory run log, beyond the contract', () => {
  it('schedules one retention timer per finished run, none per event, and drops the run when it fires', async () => {
    const { timers, setTimer } = manualTimers();
    const log = createMemoryRunLog({ retentionSeconds: 30, setTimer });
    await log.create('run-1', 'user-1');
    for (let index = 0; index < 100; index += 1) await log.append('run-1', textDelta(`t${index}`));
    assert.equal(timers.length, 0);
    await log.finish('run-1');
    assert.equal(timers.length, 1);
    assert.equal(timers[0]!.milliseconds, 30_000);
    assert.equal((await log.info('run-1'))?.lastSeq, 100);
    timers[0]!.callback();
    assert.equal(await log.info('run-1'), undefined);
    assert.deepEqual(await collect(log.read('run-1', 0)), []);
  });

  it('treats a run past its retention as gone even before its timer fires', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const { setTimer } = manualTimers();
    const log = createMemoryRunLog({ retentionSeconds: 10, setTimer, clock: () => new Date(now) });
    await log.create('run-1', 'user-1');
    await log.append('run-1', textDelta('a'));
    await log.finish('run-1');
    now += 9_999;
    assert.deepEqual(seqsOf(await collect(log.read('run-1', 0))), [1]);
    now += 1;
    assert.equal(await log.info('run-1'), undefined);
    await log.create('run-1', 'user-2');
    assert.deepEqual(await log.info('run-1'), { userId: 'user-2', finished: false, lastSeq: 0 }, 'the id is free again');
  });

  it('cancels pending retention timers on close', async () => {
    const { timers, setTimer } = manualTimers();
    const log = createMemoryRunLog({ retentionSeconds: 30, setTimer });
    await log.create('run-1', 'user-1');
    await log.finish('run-1');
    await log.close();
    assert.equal(timers[0]?.cancelled, true);
  });

  it('reports a throwing stop listener and still calls the others', async () => {
    const reported: unknown[] = [];
    const log = createMemoryRunLog({ retentionSeconds: 30, reportError: (error) => reported.push(error) });
    await log.create('run-1', 'user-1');
    const failure = new Error('listener bug');
    log.onStop('run-1', () => {
      throw failure;
    });
    let called = false;
    log.onStop('run-1', () => (called = true));
    assert.equal(await log.requestStop('run-1'), true);
    assert.equal(called, true);
    assert.deepEqual(reported, [failure]);
  });

  it('gives a reader that fell far behind every event once it resumes', async () => {
    const log = createMemoryRunLog({ retentionSeconds: 30 });
    await log.create('run-1', 'user-1');
    const iterator = log.read('run-1', 0)[Symbol.asyncIterator]();
    const first = iterator.next();
    for (let index = 1; index <= 1000; index += 1) void log.append('run-1', textDelta(`t${index}`));
    await log.finish('run-1');
    const seen = [(await first).value];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) seen.push(step.value);
    assert.deepEqual(seqsOf(seen), Array.from({ length: 1000 }, (_, index) => index + 1));
  });

  it('rejects a read cursor that is not a whole number of at least 0', async () => {
    const log = createMemoryRunLog({ retentionSeconds: 30 });
    await log.create('run-1', 'user-1');
    for (const cursor of [-1, 1.5, Number.NaN]) await assert.rejects(collect(log.read('run-1', cursor)), RangeError);
  });
});
