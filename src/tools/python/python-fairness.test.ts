import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandboxTools } from '../sandbox-test-support.ts';

const busyLoop = 'import time\nstart = time.time()\nwhile time.time() - start < 1.0:\n    pass\n"busy"';

describe('Python runs take turns between users', () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxTools>>;

  before(async () => {
    sandbox = await startSandboxTools({ pythonWorkers: 2, pythonTimeoutMs: 120_000, sandboxRunsPerUser: 1, sandboxQueuedPerUser: 10 });
    // One warm process each, so the measurement below is of queueing, not of Pyodide starting.
    const warm = await Promise.all(['busy-user', 'quick-user'].map((userId) => sandbox.call('python_eval', { expression: '0' }, userId)));
    for (const run of warm) assert.equal(run.isError, false, run.output);
  });
  after(() => sandbox.close());

  it('starts another user’s print(1) within one run slot of twelve busy loops, and refuses the run past the queue cap', { timeout: 180_000 }, async () => {
    let busyDone = 0;
    const busyRuns = Array.from({ length: 12 }, () =>
      sandbox.call('python_execute', { code: busyLoop }, 'busy-user').then(
        (run) => {
          busyDone += 1;
          return run;
        },
        (error: unknown) => error,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const quick = await sandbox.call('python_execute', { code: 'print(1)' }, 'quick-user');
    const busyDoneWhenQuickEnded = busyDone;
    assert.equal(quick.answer?.stdout, '1\n', quick.output);
    assert.ok(busyDoneWhenQuickEnded <= 1, `print(1) waited for ${busyDoneWhenQuickEnded} of the busy runs`);

    const outcomes = await Promise.all(busyRuns);
    const refused = outcomes.filter((outcome) => outcome instanceof Error) as (Error & { code?: string; status?: number })[];
    assert.equal(refused.length, 1, 'one running, ten queued, the twelfth refused');
    assert.equal(refused[0]!.code, 'RATE_LIMITED');
    assert.equal(refused[0]!.status, 429);
    assert.match(refused[0]!.message, /too many Python runs: you have 1 running and 10 queued, and at most 10 may wait/);
    for (const outcome of outcomes.filter((outcome) => !(outcome instanceof Error))) {
      assert.equal((outcome as { answer?: { result?: unknown } }).answer?.result, "'busy'");
    }
  });
});
