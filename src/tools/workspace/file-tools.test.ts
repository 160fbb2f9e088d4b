import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandboxTools } from '../sandbox-test-support.ts';

describe('workspace file tools', () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxTools>>;
  let folder: string;

  before(async () => {
    sandbox = await startSandboxTools({ workspaceQuotaBytes: 4096, fileReadMaxBytes: 1024, grepMaxMatches: 3 });
    folder = sandbox.workspaceFolder('user-one');
  });
  after(() => sandbox.close());

  it('writes, reads, lists, checks and greps files', async () => {
    const written = await sandbox.call('file_write', { path: 'docs/readme.md', content: 'alpha\nbeta\ngamma alpha\n' });
    assert.equal(written.isError, false, written.output);
    assert.equal(await readFile(path.join(folder, 'docs/readme.md'), 'utf8'), 'alpha\nbeta\ngamma alpha\n');
    const appended = await sandbox.call('file_write', { path: 'docs/readme.md', content: 'delta\n', append: true });
    assert.equal(appended.answer?.bytes, 29);
    const read = await sandbox.call('file_read', { path: 'docs/readme.md' });
    assert.equal(read.output, 'alpha\nbeta\ngamma alpha\ndelta\n');
    const listed = await sandbox.call('file_list', { path: '.', recursive: true });
    assert.deepEqual(listed.answer?.entries, [
      { path: 'docs', type: 'directory', size: 0 },
      { path: 'docs/readme.md', type: 'file', size: 29 },
    ]);
    assert.deepEqual((await sandbox.call('file_exists', { path: 'docs/readme.md' })).answer, { path: 'docs/readme.md', exists: true, type: 'file' });
    assert.equal((await sandbox.call('file_exists', { path: 'nope.txt' })).answer?.exists, false);
    const grep = await sandbox.call('file_grep', { pattern: 'ALPHA', ignore_case: true });
    assert.deepEqual(grep.answer?.matches, [
      { path: 'docs/readme.md', line: 1, text: 'alpha' },
      { path: 'docs/readme.md', line: 3, text: 'gamma alpha' },
    ]);
    assert.equal(grep.answer?.truncated, false);
    const leftovers = (await readdir(path.join(folder, 'docs'))).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'temporary files are renamed into place');
  });

  it('caps bytes read and grep matches, and refuses catastrophic patterns', async () => {
    await sandbox.call('file_write', { path: 'long.txt', content: 'x\n'.repeat(1000) });
    const read = await sandbox.call('file_read', { path: 'long.txt' });
    assert.match(read.output, /\[truncated: showed 1024 of 2000 bytes\]$/);
    const grep = await sandbox.call('file_grep', { pattern: 'x', path: 'long.txt' });
    assert.equal((grep.answer?.matches as unknown[]).length, 3);
    assert.equal(grep.answer?.truncated, true);
    const nested = await sandbox.call('file_grep', { pattern: '(a+)+$' });
    assert.equal(nested.isError, true);
  });

  it('refuses .., absolute paths and NUL bytes', async () => {
    for (const bad of ['../escape.txt', 'docs/../../escape.txt', '/etc/passwd', 'a\0b']) {
      const write = await sandbox.call('file_write', { path: bad, content: 'x' });
      assert.equal(write.isError, true, bad);
      const read = await sandbox.call('file_read', { path: bad });
      assert.equal(read.isError, true, bad);
      assert.ok(!read.output.includes('root:'), bad);
    }
    assert.equal(existsSync(path.join(sandbox.dataDir, 'workspaces', 'escape.txt')), false);
  });

  it('refuses symlink escapes for reading and writing', async () => {
    const outside = path.join(sandbox.dataDir, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'secret.txt'), 'secret outside');
    await symlink(path.join(outside, 'secret.txt'), path.join(folder, 'link.txt'));
    await symlink(outside, path.join(folder, 'linkdir'));
    for (const target of ['link.txt', 'linkdir/secret.txt']) {
      const read = await sandbox.call('file_read', { path: target });
      assert.equal(read.isError, true, target);
      assert.ok(!read.output.includes('secret outside'));
    }
    const written = await sandbox.call('file_write', { path: 'linkdir/new.txt', content: 'x' });
    assert.equal(written.isError, true);
    assert.equal(existsSync(path.join(outside, 'new.txt')), false);
    const overLink = await sandbox.call('file_write', { path: 'link.txt', content: 'changed' });
    assert.equal(overLink.isError, true);
    assert.equal(await readFile(path.join(outside, 'secret.txt'), 'utf8'), 'secret outside');
    assert.equal((await sandbox.call('file_list', { path: 'linkdir' })).isError, true);
    const grep = await sandbox.call('file_grep', { pattern: 'secret' });
    assert.deepEqual(grep.answer?.matches, []);
  });

  it('refuses a write past the quota and writes nothing', async () => {
    const tooBig = await sandbox.call('file_write', { path: 'big.txt', content: 'z'.repeat(5000) });
    assert.equal(tooBig.isError, true);
    assert.match(tooBig.output, /quota exceeded/);
    assert.equal(existsSync(path.join(folder, 'big.txt')), false);
    assert.deepEqual((await readdir(folder)).filter((name) => name.endsWith('.tmp')), []);
  });

  it('keeps users apart and answers bad input clearly', async () => {
    const other = await sandbox.call('file_read', { path: 'docs/readme.md' }, 'user-two');
    assert.equal(other.isError, true);
    const bad = await sandbox.call('file_read', { file: 'x' });
    assert.equal(bad.isError, true);
    assert.match(bad.output, /invalid input for file_read/);
    const badUser = await sandbox.call('file_read', { path: 'x' }, '../user-one');
    assert.equal(badUser.isError, true);
  });
});
