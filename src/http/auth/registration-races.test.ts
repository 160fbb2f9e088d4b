import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { createTestApp, json, type TestApp } from '../../../test/support/test-app.ts';

for (const database of testDatabases()) {
  describe(`registration under concurrency (${database.name})`, () => {
    let harness: TestApp;
    before(async () => {
      harness = await createTestApp(await database.open());
    });
    after(() => harness.close());

    it('registers 10 parallel sign-ups whose emails suggest the same username, each with its own name', async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          harness.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: `sam@domain${index}.test`, password: 'long enough pass' } }),
        ),
      );
      assert.deepEqual(answers.map((answer) => answer.statusCode), Array(10).fill(200), answers.map((answer) => answer.body).join('\n'));
      const usernames = answers.map((answer) => json(answer).data.username);
      assert.equal(new Set(usernames).size, 10, usernames.join());
      assert.ok(usernames.every((username) => username.startsWith('sam')), usernames.join());
    });

    it('still refuses an email that is taken, with 409', async () => {
      const payload = { email: 'taken@example.test', password: 'long enough pass' };
      assert.equal((await harness.app.inject({ method: 'POST', url: '/api/auth/register', payload })).statusCode, 200);
      const again = await harness.app.inject({ method: 'POST', url: '/api/auth/register', payload });
      assert.equal(again.statusCode, 409, again.body);
    });
  });
}
