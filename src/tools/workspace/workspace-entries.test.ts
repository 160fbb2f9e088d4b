import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { readTestServices } from '../../config/load-config.ts';
import { startSandboxTools } from '../sandbox-test-support.ts';

const hasBubblewrap = spawnSync('bwrap', ['--version']).status === 0;
if (!hasBubblewrap && readTestServices().servicesRequired) throw new Error('bwrap is not installed; CI must run the shell sandbox suite');
if (!hasBubblewrap) console.log('# workspace entry cap through shell_execute skipped: install bubblewrap (apt-get install bubblewrap) to run it');

describe('the workspace entry cap', () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxTools>>;

  before(async () => {
    sandbox = await startSandboxTools({ workspaceMaxEntries: 10, shellTimeoutMs: 10_000 });
  });
  after(() => sandbox.close());

  it('refuses the file_write that would make one entry too many, and writes nothing', async () => {
    for (let index = 0; index < 8; index += 1) {
      const written = await sandbox.call('file_write', { path: `empty-${index}.txt`, content: '' }, 'entries-user');
      assert.equal(written.isError, false, written.output);
    }
    // A new folder and a file in it: two entries, 10 in all.
    assert.equal((await sandbox.call('file_write', { path: 'sub/one.txt', content: '' }, 'entries-user')).isError, false);
    const refused = await sandbox.call('file_write', { path: 'one-too-many.txt', content: '' }, 'entries-user');
    assert.equal(refused.isError, true);
    assert.match(refused.output, /workspace entry limit exceeded: this would make 11 files and folders of at most 10; nothing was written/);
    const rewritten = await sandbox.call('file_write', { path: 'empty-0.txt', content: 'an existing file may change' }, 'entries-user');
    assert.equal(rewritten.isError, false, rewritten.output);
    assert.equal((await readdir(sandbox.workspaceFolder('entries-user'))).length, 9);
  });

  it('says so after a shell run touches many files, and file_write adds none until some are deleted', { skip: !hasBubblewrap }, async () => {
    const touched = await sandbox.call('shell_execute', { command: 'touch $(seq -f "t%g" 1 200) && echo touched' }, 'shell-entries-user');
    assert.equal(touched.answer?.stdout, 'touched\n', touched.output);
    assert.match(String(touched.answer?.entries_exceeded), /holds 200 files and folders, over its limit of 10/);
    const refused = await sandbox.call('file_write', { path: 'more.txt', content: '' }, 'shell-entries-user');
    assert.match(refused.output, /workspace entry limit exceeded/);
    const python = await sandbox.call('python_execute', { code: 'open("from-python.txt", "w").write("x")' }, 'shell-entries-user');
    assert.match(String(python.answer?.files_not_saved), /workspace entry limit exceeded/, python.output);
    const cleaned = await sandbox.call('shell_execute', { command: 'rm t*' }, 'shell-entries-user');
    assert.equal(cleaned.answer?.entries_exceeded, undefined, cleaned.output);
    assert.equal((await sandbox.call('file_write', { path: 'more.txt', content: '' }, 'shell-entries-user')).isError, false);
  });
});
