import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstat, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTestServices } from '../../config/load-config.ts';
import { startSandboxTools } from '../sandbox-test-support.ts';

const hasBubblewrap = spawnSync('bwrap', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
if (!hasBubblewrap && readTestServices().servicesRequired) throw new Error('bwrap is not installed; CI must run the shell sandbox suite');
if (!hasBubblewrap) console.log('# shell per-user uid suite skipped: install bubblewrap (apt-get install bubblewrap) to run it');
else if (!isRoot) console.log('# shell per-user uid suite skipped: the sandbox changes uid only when the server runs as root');

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A range of its own, so no other process on this machine shares these uids' process counts.
const first = 310_000;
const last = 310_999;

describe('each user’s shell sandbox runs as a uid of its own', { skip: !hasBubblewrap || !isRoot }, () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxTools>>;

  before(async () => {
    sandbox = await startSandboxTools({ shellTimeoutMs: 15_000, shellMaxProcesses: 16, shellUidRange: `${first}-${last}` });
  });
  after(() => sandbox.close());

  const uidOf = async (userId: string) => Number(String((await sandbox.call('shell_execute', { command: 'id -u' }, userId)).answer?.stdout).trim());

  it('gives two users different, stable uids from the range, and the workspace follows the uid', async () => {
    const one = await uidOf('uid-user-a');
    const two = await uidOf('uid-user-b');
    assert.ok(one >= first && one <= last, String(one));
    assert.ok(two >= first && two <= last, String(two));
    assert.notEqual(one, two);
    assert.equal(await uidOf('uid-user-a'), one, 'the same uid on the next run');
    await sandbox.call('file_write', { path: 'made-by-tool.txt', content: 'x' }, 'uid-user-a');
    assert.equal((await stat(path.join(sandbox.workspaceFolder('uid-user-a'), 'made-by-tool.txt'))).uid, one);
    assert.equal((await lstat(sandbox.workspaceFolder('uid-user-a'))).uid, one);
    const written = await sandbox.call('shell_execute', { command: 'echo more >> made-by-tool.txt && cat made-by-tool.txt' }, 'uid-user-a');
    assert.equal(written.answer?.stdout, 'xmore\n', written.output);
  });

  it('moves a workspace owned by a uid outside the range (the old shared 65534) into it', async () => {
    const folder = sandbox.workspaceFolder('uid-user-old');
    await mkdir(folder, { recursive: true });
    spawnSync('chown', ['-R', '65534:65534', folder]);
    const uid = await uidOf('uid-user-old');
    assert.ok(uid >= first && uid <= last, String(uid));
    assert.equal((await lstat(folder)).uid, uid);
  });

  it('lets user B fork while user A’s fork bomb is at its process limit', async () => {
    // dash gives up at its first failed fork; the outer shell then waits on a FIFO (builtins only,
    // so it needs no fork itself) while the sleeps hold every process the uid may have.
    const bombCommand = [
      'mkfifo hold',
      '(sleep 3 > hold) &',
      '(for i in $(seq 1 60); do sleep 3 & done) 2>fork-errors.txt',
      'read line < hold',
      'while read -r line; do echo "$line"; done < fork-errors.txt',
    ].join('\n');
    const bomb = sandbox.call('shell_execute', { command: bombCommand }, 'bomb-user');
    await pause(1000);
    const others = await Promise.all(
      ['calm-user-1', 'calm-user-2'].map((userId) => sandbox.call('shell_execute', { command: 'echo hi | cat; /bin/echo there' }, userId)),
    );
    const bombed = await bomb;
    assert.match(String(bombed.answer?.stdout), /fork/i, `the bomb hit its process limit: ${bombed.output}`);
    for (const run of others) {
      assert.equal(run.isError, false, run.output);
      assert.equal(run.answer?.stdout, 'hi\nthere\n', run.output);
    }
  });
});
