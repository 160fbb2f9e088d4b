import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { skipUnlessAvailable } from '../../../test/support/unavailable-suite.ts';
import { startSandboxTools } from '../sandbox-test-support.ts';

// bubblewrap is a system package (see the README); CI installs it, elsewhere the suite is skipped without it.
const hasBubblewrap = spawnSync('bwrap', ['--version']).status === 0;
const withoutBubblewrap = skipUnlessAvailable('shell_execute sandbox suite', hasBubblewrap, 'bubblewrap (bwrap) is not on PATH; apt-get install bubblewrap');

describe('shell_execute', { skip: withoutBubblewrap }, () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxTools>>;

  before(async () => {
    sandbox = await startSandboxTools({ shellTimeoutMs: 3000, shellMaxProcesses: 32, shellMemoryMb: 256, toolOutputMaxBytes: 4096 });
  });
  after(() => sandbox.close());

  it('runs echo and ls in the workspace, which it can write', async () => {
    await mkdir(sandbox.workspaceFolder('user-one'), { recursive: true });
    await writeFile(path.join(sandbox.workspaceFolder('user-one'), 'notes.txt'), 'hello');
    const run = await sandbox.call('shell_execute', { command: 'echo hi; ls; pwd; echo made > made.txt' });
    assert.equal(run.isError, false, run.output);
    assert.equal(run.answer?.stdout, 'hi\nnotes.txt\n/workspace\n');
    assert.equal(await readFile(path.join(sandbox.workspaceFolder('user-one'), 'made.txt'), 'utf8'), 'made\n');
  });

  it('has a clean environment', async () => {
    process.env.COLLOQUY_TEST_SHELL_MARKER = 'shell-marker-value';
    const run = await sandbox.call('shell_execute', { command: 'env' });
    assert.ok(!run.output.includes('shell-marker-value'));
    assert.match(String(run.answer?.stdout), /HOME=\/workspace/);
  });

  it('cannot write outside the workspace', async () => {
    const hostMarker = `/tmp/colloquy-shell-escape-${process.pid}`;
    const run = await sandbox.call('shell_execute', {
      command: `echo x > /usr/escape; echo x > /etc/escape; echo x > ${sandbox.dataDir}/escape; echo x > ${hostMarker}; echo x > ../escape; ls /`,
    });
    assert.match(String(run.answer?.stderr), /Read-only file system|Permission denied|No such file|Directory nonexistent/);
    assert.equal(existsSync('/usr/escape'), false);
    assert.equal(existsSync(path.join(sandbox.dataDir, 'escape')), false);
    assert.equal(existsSync(hostMarker), false, 'the sandbox /tmp is private');
    assert.ok(!String(run.answer?.stdout).includes('root\n'), 'only system folders are mounted');
  });

  it('has no network', async () => {
    const server = createServer((socket) => socket.end('reached'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let connections = 0;
    server.on('connection', () => (connections += 1));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await sandbox.call('shell_execute', { command: `bash -c 'echo probe > /dev/tcp/127.0.0.1/${port}' && echo connected` });
      assert.equal(run.isError, true, run.output);
      assert.ok(!String(run.answer?.stdout).includes('connected'));
      assert.equal(connections, 0);
    } finally {
      server.close();
    }
  });

  it('survives a fork bomb: limited, killed at the wall time, and answers', async () => {
    const started = Date.now();
    const run = await sandbox.call('shell_execute', { command: 'bomb() { bomb | bomb & }; bomb; sleep 30' });
    assert.equal(run.isError, true);
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
    const after = await sandbox.call('shell_execute', { command: 'echo still here' });
    assert.equal(after.answer?.stdout, 'still here\n');
  });

  it('limits the number of processes', async () => {
    const run = await sandbox.call('shell_execute', { command: 'for i in $(seq 1 100); do sleep 1 & done; wait' });
    assert.match(String(run.answer?.stderr), /fork|Resource temporarily unavailable/i);
  });

  it('caps output and wall time', async () => {
    const noisy = await sandbox.call('shell_execute', { command: 'yes' });
    assert.equal(noisy.answer?.output_truncated, true);
    assert.ok(String(noisy.answer?.stdout).length <= 4096);
    const slow = await sandbox.call('shell_execute', { command: 'sleep 20' });
    assert.equal(slow.answer?.timed_out, true);
  });

  it('answers bad input with a clear error', async () => {
    const run = await sandbox.call('shell_execute', { cmd: 'ls' });
    assert.equal(run.isError, true);
    assert.match(run.output, /invalid input for shell_execute/);
  });
});

describe('shell_execute without bubblewrap', () => {
  it('reports itself unavailable and runs nothing', async () => {
    const sandbox = await startSandboxTools({}, '/nonexistent/bwrap');
    try {
      const run = await sandbox.call('shell_execute', { command: 'echo ran > ran.txt' });
      assert.equal(run.isError, true);
      assert.match(run.output, /shell_execute is unavailable: bubblewrap \(bwrap\) is not installed/);
      assert.equal(existsSync(path.join(sandbox.workspaceFolder('user-one'), 'ran.txt')), false);
    } finally {
      await sandbox.close();
    }
  });
});
