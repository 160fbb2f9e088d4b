import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipUnlessAvailable } from '../../../test/support/unavailable-suite.ts';
import { startSandboxTools } from '../sandbox-test-support.ts';
import { giveToSandboxUser } from './shell-runner.ts';

const hasBubblewrap = spawnSync('bwrap', ['--version']).status === 0;
const withoutBubblewrap = skipUnlessAvailable('shell workspace lock suite', hasBubblewrap, 'bubblewrap (bwrap) is not on PATH; apt-get install bubblewrap');
const isRoot = process.getuid?.() === 0;
// Only root can hand the workspace to the sandbox user; CI need not run as root.
const notRoot = skipUnlessAvailable('root ownership walk suite', isRoot, 'runs only as root', { requiredInCi: false });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a shell run holds the workspace', { skip: withoutBubblewrap }, () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxTools>>;

  before(async () => {
    sandbox = await startSandboxTools({ shellTimeoutMs: 3000, workspaceQuotaBytes: 10_000 });
  });
  after(() => sandbox.close());

  it('makes a file tool wait until the run has ended', async () => {
    const order: string[] = [];
    const run = sandbox.call('shell_execute', { command: 'sleep 1; echo done > marker.txt' }).then((result) => {
      order.push('shell');
      return result;
    });
    await pause(200);
    const read = await sandbox.call('file_read', { path: 'marker.txt' });
    order.push('read');
    assert.equal((await run).isError, false);
    assert.deepEqual(order, ['shell', 'read']);
    assert.equal(read.output, 'done\n', 'the read ran after the shell, so it sees its file');
  });

  it('never lets a file tool use a folder a running shell swaps for a symlink', async () => {
    const swapLoop = 'i=0; while [ $i -lt 150 ]; do rm -rf d; mkdir d; echo inside > d/hostname; rm -rf d; ln -s /etc d; i=$((i+1)); done';
    const run = sandbox.call('shell_execute', { command: swapLoop });
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        pause(index * 20).then(() =>
          index % 2 === 0
            ? sandbox.call('file_read', { path: 'd/hostname' })
            : sandbox.call('file_write', { path: `d/planted-${index}`, content: 'x' }),
        ),
      ),
    );
    const swapped = await run;
    assert.equal(swapped.isError, false, swapped.output);
    assert.ok((await lstat(path.join(sandbox.workspaceFolder('user-one'), 'd'))).isSymbolicLink());
    for (const attempt of attempts) {
      assert.equal(attempt.isError, true, attempt.output);
      assert.match(attempt.output, /outside your workspace|symlink/);
    }
    assert.deepEqual(
      Array.from({ length: 20 }, (_, index) => `/etc/planted-${index}`).filter((file) => existsSync(file)),
      [],
    );
  });

  it('leaves no process behind once a run has answered, even a killed one', async () => {
    const ended = await sandbox.call('shell_execute', { command: '(sleep 0.5; echo late > late.txt) > /dev/null 2>&1 & echo started' });
    assert.equal(ended.answer?.stdout, 'started\n');
    const killed = await sandbox.call('shell_execute', {
      command: "(trap '' TERM HUP; while :; do echo x >> ticks.txt; done) > /dev/null 2>&1 & sleep 20",
    });
    assert.equal(killed.answer?.timed_out, true);
    const ticks = path.join(sandbox.workspaceFolder('user-one'), 'ticks.txt');
    const sizeAfterAnswer = (await stat(ticks)).size;
    await pause(700);
    assert.equal(existsSync(path.join(sandbox.workspaceFolder('user-one'), 'late.txt')), false);
    assert.equal((await stat(ticks)).size, sizeAfterAnswer, 'nothing wrote after the run answered');
  });

  it('lets a full workspace delete files but not grow them', async () => {
    await sandbox.call('shell_execute', { command: 'rm -rf ./*' });
    await sandbox.call('shell_execute', { command: 'head -c 9000 /dev/zero > big.bin' });
    const tooBig = await sandbox.call('shell_execute', { command: 'head -c 2000 /dev/zero > more.bin' });
    // A file may grow only to the room left (1000 bytes), which fills the workspace.
    assert.equal((await stat(path.join(sandbox.workspaceFolder('user-one'), 'more.bin'))).size, 1000, tooBig.output);
    const full = await sandbox.call('shell_execute', { command: 'rm big.bin; echo more >> more.bin' });
    assert.match(String(full.answer?.quota_note), /could only delete or shrink files/);
    assert.equal((await stat(path.join(sandbox.workspaceFolder('user-one'), 'more.bin'))).size, 1000);
    assert.equal(existsSync(path.join(sandbox.workspaceFolder('user-one'), 'big.bin')), false);
  });
});

describe('the ownership walk before a root shell run', { skip: notRoot }, () => {
  it('changes the workspace only: links are changed themselves, never followed', async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'colloquy-chown-'));
    try {
      const workspace = path.join(base, 'workspace');
      const outside = path.join(base, 'outside');
      await mkdir(path.join(workspace, 'sub'), { recursive: true });
      await mkdir(outside);
      await writeFile(path.join(workspace, 'sub', 'mine.txt'), 'x');
      await writeFile(path.join(outside, 'host.txt'), 'x');
      await symlink(outside, path.join(workspace, 'sub', 'link'));
      await symlink(path.join(outside, 'host.txt'), path.join(workspace, 'file-link'));
      await giveToSandboxUser(workspace, 54_321);
      for (const inside of ['.', 'sub', 'sub/mine.txt', 'sub/link', 'file-link']) {
        assert.equal((await lstat(path.join(workspace, inside))).uid, 54_321, inside);
      }
      assert.equal((await lstat(outside)).uid, 0);
      assert.equal((await lstat(path.join(outside, 'host.txt'))).uid, 0);
      assert.equal(await readFile(path.join(outside, 'host.txt'), 'utf8'), 'x');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
