import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { openDatabase } from '../../storage/database.ts';
import { startSandboxTools } from '../sandbox-test-support.ts';
import { failureFromError } from './tool-results.ts';

describe('workspace path errors', () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxTools>>;

  before(async () => {
    sandbox = await startSandboxTools();
  });
  after(() => sandbox.close());

  it('refuses a name over 255 bytes and a path over 4096 bytes with a clear error', async () => {
    for (const tool of ['file_read', 'file_write', 'file_exists', 'file_list']) {
      const longName = await sandbox.call(tool, { path: 'a'.repeat(300), content: 'x' });
      assert.equal(longName.isError, true, tool);
      assert.match(longName.output, /names may be at most 255 bytes long/, tool);
    }
    // Under the schema's 4096 characters, over 4096 bytes.
    const longPath = await sandbox.call('file_read', { path: 'éé/'.repeat(1000) });
    assert.equal(longPath.isError, true);
    assert.match(longPath.output, /at most 4096 bytes long/);
  });

  it('answers a file-system error in plain words, naming only the path the user gave', async () => {
    // Short enough to pass the checks, too long once joined to the workspace folder: ENAMETOOLONG.
    const deep = Array.from({ length: 16 }, (_, index) => String(index % 10).repeat(255)).join('/');
    for (const tool of ['file_read', 'file_write', 'file_exists', 'file_grep']) {
      const result = await sandbox.call(tool, { path: deep, content: 'x', pattern: 'x' });
      assert.equal(result.isError, true, tool);
      assert.match(result.output, /that path is too long; use shorter names/, tool);
      assert.ok(!result.output.includes(sandbox.dataDir), `${tool} leaks the host path: ${result.output.slice(-200)}`);
    }
  });

  it('maps every file-system error code and never repeats its host path', () => {
    for (const code of ['EACCES', 'ENOSPC', 'EMLINK', 'ELOOP', 'EISDIR', 'ENOTDIR', 'ENAMETOOLONG', 'EXDEV']) {
      const error = Object.assign(new Error(`${code}: failed, open '/srv/colloquy/workspaces/u/notes.txt'`), {
        code,
        syscall: 'open',
        path: '/srv/colloquy/workspaces/u/notes.txt',
      });
      const result = failureFromError(error, 'notes.txt');
      assert.equal(result.isError, true);
      assert.match(result.output, /^notes\.txt: /);
      assert.ok(!result.output.includes('/srv'), result.output);
    }
    assert.throws(() => failureFromError(new TypeError('a bug')), TypeError);
  });
});

describe('POST /api/tools/file_read/execute with a bad path', () => {
  let test: TestApp;
  let user: { id: string; token: string };

  before(async () => {
    test = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }));
    user = await signUp(test.app);
    await test.dependencies.repositories.users.update(user.id, { permissionLevel: 1 }, new Date().toISOString());
  });
  after(() => test.close());

  it('answers a tool error, not a 500, and leaks no host path', async () => {
    const execute = (payload: object) =>
      test.app.inject({ method: 'POST', url: '/api/tools/file_read/execute', headers: bearer(user.token), payload });
    const longName = await execute({ path: 'a'.repeat(300) });
    assert.equal(longName.statusCode, 200, longName.body);
    assert.equal(json(longName).data.is_error, true);
    assert.match(json(longName).data.result, /names may be at most 255 bytes long/);
    const deep = await execute({ path: Array.from({ length: 16 }, () => 'b'.repeat(255)).join('/') });
    assert.equal(deep.statusCode, 200, deep.body);
    assert.equal(json(deep).data.is_error, true);
    assert.ok(!deep.body.includes(test.config.dataDir), deep.body.slice(-300));
  });
});
