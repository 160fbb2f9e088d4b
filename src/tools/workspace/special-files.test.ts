import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTestServices } from '../../config/load-config.ts';
import { startSandboxTools } from '../sandbox-test-support.ts';

const hasBubblewrap = spawnSync('bwrap', ['--version']).status === 0;
if (!hasBubblewrap && readTestServices().servicesRequired) throw new Error('bwrap is not installed; CI must run the shell sandbox suite');
if (!hasBubblewrap) console.log('# special files through shell_execute skipped: install bubblewrap (apt-get install bubblewrap) to run it');
const isRoot = process.getuid?.() === 0;

/** Answers the call's result, or fails the test when it has not answered within `withinMs`. */
async function answersWithin<T>(work: Promise<T>, withinMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${withinMs} ms`)), withinMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('FIFOs, sockets and device nodes in a workspace', () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxTools>>;
  let folder: string;
  let socketServer: Server | undefined;
  const special = ['pipe', 'sub/pipe', ...(isRoot ? ['null-device'] : []), 'socket'];

  before(async () => {
    sandbox = await startSandboxTools({ workspaceQuotaBytes: 100_000, pythonTimeoutMs: 60_000 });
    folder = sandbox.workspaceFolder('user-one');
    await mkdir(path.join(folder, 'sub'), { recursive: true });
    assert.equal(spawnSync('mkfifo', [path.join(folder, 'pipe'), path.join(folder, 'sub/pipe')]).status, 0);
    if (isRoot) assert.equal(spawnSync('mknod', [path.join(folder, 'null-device'), 'c', '1', '3']).status, 0);
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer!.listen(path.join(folder, 'socket'), resolve));
  });
  after(async () => {
    // Before the fix a reader is stuck in open(2) on each FIFO: a writer lets it go, so the process can end.
    for (const fifo of ['pipe', 'sub/pipe']) {
      await open(path.join(folder, fifo), constants.O_RDWR | constants.O_NONBLOCK).then((handle) => handle.close(), () => undefined);
    }
    await new Promise((resolve) => socketServer?.close(resolve));
    await sandbox.close();
  });

  it('file_read refuses each at once, and the workspace lock is free afterwards', async () => {
    for (const name of special) {
      const read = await answersWithin(sandbox.call('file_read', { path: name }), 3000, `file_read ${name}`);
      assert.equal(read.isError, true, `${name}: ${read.output}`);
      assert.match(read.output, new RegExp(`${name} is not a regular file`), name);
      assert.ok(!read.output.includes(folder), 'no host path');
    }
    const write = await answersWithin(sandbox.call('file_write', { path: 'after.txt', content: 'ok' }), 3000, 'file_write after');
    assert.equal(write.isError, false, write.output);
  });

  it('file_grep, file_write with append, file_list and file_exists answer at once', async () => {
    await sandbox.call('file_write', { path: 'sub/text.txt', content: 'needle\n' });
    for (const target of ['.', 'sub', 'pipe', 'sub/pipe', 'socket']) {
      const grep = await answersWithin(sandbox.call('file_grep', { pattern: 'needle', path: target }), 5000, `file_grep ${target}`);
      if (target === '.' || target === 'sub') {
        assert.equal(grep.isError, false, grep.output);
        assert.deepEqual(grep.answer?.matches, [{ path: 'sub/text.txt', line: 1, text: 'needle' }]);
      } else {
        assert.equal(grep.isError, true, grep.output);
        assert.match(grep.output, /is not a regular file/, target);
      }
    }
    const append = await answersWithin(sandbox.call('file_write', { path: 'sub/pipe', content: 'x', append: true }), 3000, 'append');
    assert.equal(append.isError, true, append.output);
    assert.match(append.output, /sub\/pipe is not a regular file/);
    const listed = await answersWithin(sandbox.call('file_list', { path: '.', recursive: true }), 3000, 'file_list');
    assert.ok((listed.answer?.entries as { path: string; type: string }[]).some((entry) => entry.path === 'pipe' && entry.type === 'other'));
    const exists = await answersWithin(sandbox.call('file_exists', { path: 'pipe' }), 3000, 'file_exists');
    assert.deepEqual(exists.answer, { path: 'pipe', exists: true, type: 'other' });
  });

  it('python_execute copies only regular files in, and does not wait on a FIFO', { timeout: 120_000 }, async () => {
    const run = await answersWithin(
      sandbox.call('python_execute', { code: 'import os\nsorted(os.listdir(".")) + sorted(os.listdir("sub"))' }),
      90_000,
      'python_execute',
    );
    assert.equal(run.isError, false, run.output);
    assert.equal(run.answer?.result, "['after.txt', 'sub', 'text.txt']");
    const write = await answersWithin(sandbox.call('file_write', { path: 'after.txt', content: 'again' }), 3000, 'file_write after');
    assert.equal(write.isError, false, write.output);
    assert.equal(await readFile(path.join(folder, 'after.txt'), 'utf8'), 'again');
  });

  it('a FIFO made by shell_execute cannot hang file_read', { skip: !hasBubblewrap }, async () => {
    const made = await sandbox.call('shell_execute', { command: 'mkfifo made-by-shell && echo made' });
    assert.equal(made.answer?.stdout, 'made\n', made.output);
    try {
      const read = await answersWithin(sandbox.call('file_read', { path: 'made-by-shell' }), 3000, 'file_read of a shell FIFO');
      assert.match(read.output, /made-by-shell is not a regular file/);
      const after = await answersWithin(sandbox.call('shell_execute', { command: 'rm made-by-shell && echo gone' }), 10_000, 'shell after');
      assert.equal(after.answer?.stdout, 'gone\n', after.output);
    } finally {
      await open(path.join(folder, 'made-by-shell'), constants.O_RDWR | constants.O_NONBLOCK).then((handle) => handle.close(), () => undefined);
    }
  });
});
