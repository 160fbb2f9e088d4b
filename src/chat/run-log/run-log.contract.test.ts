import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { RunLog } from '../run-log.ts';
import {
  collect,
  memorySubject,
  newRunId,
  pause,
  range,
  redisSubject,
  seqsOf,
  textDelta,
  within,
  type RunLogSubject,
} from './run-log-test-support.ts';
import { RunNotWritableError } from './run-not-writable-error.ts';

async function finishedRun(log: RunLog, count: number): Promise<string> {
  const runId = newRunId();
  await log.create(runId, 'user-1');
  for (const index of range(1, count)) await log.append(runId, textDelta(`t${index}`));
  await log.finish(runId);
  return runId;
}

/** A promise and the call that settles it, for listeners. */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

for (const subject of [memorySubject(), redisSubject()] satisfies RunLogSubject[]) {
  describe(`run log contract: ${subject.name}`, { skip: subject.skip }, () => {
    after(() => subject.cleanUp());

    it('numbers events 1, 2, 3 … in append order and reports them in info', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      assert.deepEqual(await log.info(runId), { userId: 'user-1', finished: false, lastSeq: 0 });
      const events = [textDelta('a'), { type: 'reasoning-delta', text: 'b' } as const, textDelta('c')];
      for (const event of events) await log.append(runId, event);
      assert.deepEqual(await log.info(runId), { userId: 'user-1', finished: false, lastSeq: 3 });
      await log.finish(runId);
      assert.deepEqual(await log.info(runId), { userId: 'user-1', finished: true, lastSeq: 3 });
      assert.deepEqual(await collect(log.read(runId, 0)), events.map((event, index) => ({ seq: index + 1, event })));
    });

    it('reads from the start, from the middle and from the end', async () => {
      const log = await subject.open();
      const runId = await finishedRun(log, 5);
      assert.deepEqual(seqsOf(await collect(log.read(runId, 0))), [1, 2, 3, 4, 5]);
      assert.deepEqual(seqsOf(await collect(log.read(runId, 2))), [3, 4, 5]);
      const fromMiddle = await collect(log.read(runId, 3));
      assert.deepEqual(fromMiddle.map((runEvent) => runEvent.event), [textDelta('t4'), textDelta('t5')]);
      assert.deepEqual(await collect(log.read(runId, 5)), []);
      assert.deepEqual(await collect(log.read(runId, 9)), [], 'a cursor past the end yields nothing');
    });

    it('replays a finished run to every later reader, as often as asked, within the retention', async () => {
      const log = await subject.open();
      const runId = await finishedRun(log, 4);
      await pause(50);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        assert.deepEqual(seqsOf(await collect(log.read(runId, 0))), [1, 2, 3, 4]);
      }
    });

    it('gives a live reader the events appended after it started, and ends it after finish', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      await log.append(runId, textDelta('before'));
      const iterator = log.read(runId, 0)[Symbol.asyncIterator]();
      assert.equal((await iterator.next()).value?.seq, 1);
      let waiting = true;
      const second = iterator.next().finally(() => (waiting = false));
      await pause(60);
      assert.ok(waiting, 'the reader waits for the next event');
      await log.append(runId, textDelta('after'));
      assert.deepEqual((await within(second, 1000, 'live event')).value, { seq: 2, event: textDelta('after') });
      const rest = iterator.next();
      await log.finish(runId);
      assert.equal((await within(rest, 1000, 'end after finish')).done, true);
    });

    it('gives two concurrent readers every event exactly once', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      const readers = [collect(log.read(runId, 0)), collect(log.read(runId, 0))];
      for (const index of range(1, 60)) {
        await log.append(runId, textDelta(`t${index}`));
        if (index % 10 === 0) await pause(5);
      }
      await log.finish(runId);
      for (const seen of await within(Promise.all(readers), 2000, 'both readers')) {
        assert.deepEqual(seqsOf(seen), range(1, 60));
        assert.deepEqual(seen.map((runEvent) => runEvent.event), range(1, 60).map((index) => textDelta(`t${index}`)));
      }
    });

    it('ends a read of an unknown run at once', async () => {
      const log = await subject.open();
      const started = performance.now();
      assert.deepEqual(await collect(log.read(newRunId(), 0)), []);
      assert.ok(performance.now() - started < 200, `ended after ${performance.now() - started} ms`);
      assert.equal(await log.info(newRunId()), undefined);
    });

    it('drops a finished run after the retention period', async () => {
      const log = await subject.open({ retentionSeconds: 1 });
      const runId = await finishedRun(log, 2);
      assert.equal((await log.info(runId))?.lastSeq, 2);
      await pause(1300);
      assert.equal(await log.info(runId), undefined);
      assert.deepEqual(await collect(log.read(runId, 0)), []);
      assert.equal(await log.requestStop(runId), false);
    });

    it('refuses appends to unknown or finished runs, a second finish, and a second create', async () => {
      const log = await subject.open();
      await assert.rejects(log.append(newRunId(), textDelta('x')), RunNotWritableError);
      await assert.rejects(log.finish(newRunId()), RunNotWritableError);
      const runId = await finishedRun(log, 1);
      await assert.rejects(log.append(runId, textDelta('late')), RunNotWritableError);
      await assert.rejects(log.finish(runId), RunNotWritableError);
      await assert.rejects(log.create(runId, 'user-2'), /already exists/);
      assert.deepEqual(seqsOf(await collect(log.read(runId, 0))), [1], 'the refused writes left no trace');
    });

    it('delivers a stop request to an onStop listener once', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      const heard = signal();
      let calls = 0;
      const unsubscribe = log.onStop(runId, () => {
        calls += 1;
        heard.resolve();
      });
      await pause(30);
      assert.equal(await log.requestStop(runId), true);
      await within(heard.promise, 1000, 'stop listener');
      assert.equal(await log.requestStop(runId), true, 'a running run may be asked again');
      await pause(100);
      assert.equal(calls, 1);
      unsubscribe();
    });

    it('delivers a stop requested before the listener subscribed', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      assert.equal(await log.requestStop(runId), true);
      const heard = signal();
      const unsubscribe = log.onStop(runId, heard.resolve);
      await within(heard.promise, 1000, 'stop listener subscribed late');
      unsubscribe();
    });

    it('answers false to a stop for an unknown or finished run, and stays silent', async () => {
      const log = await subject.open();
      assert.equal(await log.requestStop(newRunId()), false);
      const runId = await finishedRun(log, 1);
      let calls = 0;
      const unsubscribe = log.onStop(runId, () => (calls += 1));
      assert.equal(await log.requestStop(runId), false);
      await pause(100);
      assert.equal(calls, 0);
      unsubscribe();
    });

    it('calls no listener after it unsubscribed, and still calls the others', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      let removedCalls = 0;
      const unsubscribe = log.onStop(runId, () => (removedCalls += 1));
      const kept = signal();
      const unsubscribeKept = log.onStop(runId, kept.resolve);
      unsubscribe();
      await pause(30);
      await log.requestStop(runId);
      await within(kept.promise, 1000, 'remaining listener');
      await pause(50);
      assert.equal(removedCalls, 0);
      unsubscribeKept();
    });

    it('ends a waiting reader promptly when its signal aborts', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      await log.append(runId, textDelta('one'));
      const controller = new AbortController();
      const iterator = log.read(runId, 0, controller.signal)[Symbol.asyncIterator]();
      assert.equal((await iterator.next()).value?.seq, 1);
      const waiting = iterator.next();
      await pause(100);
      const abortedAt = performance.now();
      controller.abort();
      assert.equal((await within(waiting, 1000, 'aborted reader')).done, true);
      assert.ok(performance.now() - abortedAt < 200, `ended ${performance.now() - abortedAt} ms after the abort`);
      await log.append(runId, textDelta('two'));
      await log.finish(runId);
      assert.deepEqual(seqsOf(await collect(log.read(runId, 0))), [1, 2], 'the log is unaffected');
      assert.deepEqual(await collect(log.read(runId, 0, AbortSignal.abort())), [], 'an aborted signal reads nothing');
    });

    it('ends waiting readers when the log closes', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      const reading = collect(log.read(runId, 0));
      await pause(50);
      await log.close();
      assert.deepEqual(await within(reading, 1000, 'reader of a closed log'), []);
      await assert.rejects(log.append(runId, textDelta('x')), RunNotWritableError);
    });

    it('carries 10,000 appends to a concurrent reader, all in order', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      const reading = collect(log.read(runId, 0));
      const appends: Array<Promise<void>> = [];
      for (const index of range(1, 10_000)) {
        appends.push(log.append(runId, textDelta(`t${index}`)));
        if (index % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(appends);
      await log.finish(runId);
      const seen = await within(reading, 10_000, 'reader of 10,000 events');
      assert.deepEqual(seqsOf(seen), range(1, 10_000));
      assert.ok(seen.every((runEvent) => runEvent.event.type === 'text-delta' && runEvent.event.text === `t${runEvent.seq}`));
    });

    it('abandon ends an unfinished run with a last event, once, and its readers with it', async () => {
      const log = await subject.open();
      const runId = newRunId();
      await log.create(runId, 'user-1');
      await log.append(runId, textDelta('a'));
      const reading = collect(log.read(runId, 0));
      const last = { type: 'error', code: 'ABANDONED', message: 'runner gone' } as const;
      assert.equal(await log.abandon(runId, last), true);
      assert.deepEqual(await within(reading, 1000, 'reader of an abandoned run'), [
        { seq: 1, event: textDelta('a') },
        { seq: 2, event: last },
      ]);
      assert.deepEqual(await log.info(runId), { userId: 'user-1', finished: true, lastSeq: 2 });
      assert.equal(await log.abandon(runId, last), false);
      assert.equal(await log.abandon(newRunId(), last), false);
    });

    if (subject.openOther) {
      const openOther = subject.openOther;
      it('reaches a runner on another instance: its events, and stop requests', async () => {
        const runner = await subject.open();
        const other = await openOther();
        const runId = newRunId();
        await runner.create(runId, 'user-1');
        const heard = signal();
        const unsubscribe = runner.onStop(runId, heard.resolve);
        const reading = collect(other.read(runId, 0));
        await runner.append(runId, textDelta('hello'));
        assert.deepEqual(await other.info(runId), { userId: 'user-1', finished: false, lastSeq: 1 });
        assert.equal(await other.requestStop(runId), true);
        await within(heard.promise, 1000, 'stop from another instance');
        unsubscribe();
        await runner.finish(runId);
        assert.deepEqual(seqsOf(await within(reading, 1000, 'reader on another instance')), [1]);
        await assert.rejects(other.append(runId, textDelta('x')), RunNotWritableError, 'only the creating instance writes');
      });
    }
  });
}
