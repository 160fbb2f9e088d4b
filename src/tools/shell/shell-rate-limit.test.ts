import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { readTestServices } from '../../config/load-config.ts';
import { openDatabase } from '../../storage/database.ts';

const hasBubblewrap = spawnSync('bwrap', ['--version']).status === 0;
if (!hasBubblewrap && readTestServices().servicesRequired) throw new Error('bwrap is not installed; CI must run the shell sandbox suite');
if (!hasBubblewrap) console.log('# shell queue cap over HTTP skipped: install bubblewrap (apt-get install bubblewrap) to run it');

describe('POST /api/tools/shell_execute/execute past the per-user queue cap', { skip: !hasBubblewrap }, () => {
  let test: TestApp;
  let user: { id: string; token: string };
  let other: { id: string; token: string };

  before(async () => {
    test = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
      env: { COLLOQUY_SANDBOX_QUEUED_PER_USER: '2', COLLOQUY_SANDBOX_RUNS_PER_USER: '1', COLLOQUY_SHELL_TIMEOUT_MS: '20000' },
    });
    user = await signUp(test.app);
    other = await signUp(test.app);
    for (const account of [user, other]) {
      await test.dependencies.repositories.users.update(account.id, { permissionLevel: 3 }, new Date().toISOString());
    }
  });
  after(() => test.close());

  it('answers 429 RATE_LIMITED saying how many are queued, and leaves another user unaffected', async () => {
    const execute = (token: string, command: string) =>
      test.app.inject({ method: 'POST', url: '/api/tools/shell_execute/execute', headers: bearer(token), payload: { command } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => execute(user.token, 'sleep 1; echo slept')));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    assert.deepEqual(statuses, [200, 200, 200, 429, 429], answers.map((answer) => answer.body).join('\n'));
    for (const refused of answers.filter((answer) => answer.statusCode === 429)) {
      assert.equal(json(refused).code, 'RATE_LIMITED', refused.body);
      assert.match(refused.body, /too many shell runs: you have 1 running and 2 queued, and at most 2 may wait/);
      assert.ok(refused.headers['retry-after'], 'says when to retry');
    }
    for (const done of answers.filter((answer) => answer.statusCode === 200)) {
      assert.equal(JSON.parse(json(done).data.result).stdout, 'slept\n', done.body);
    }
    const calm = await execute(other.token, 'echo hi');
    assert.equal(calm.statusCode, 200, calm.body);
  });
});
