import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../test/support/test-app.ts';

for (const database of testDatabases()) {
  describe(`MCP servers per user under concurrency (${database.name})`, () => {
    let harness: TestApp;
    before(async () => {
      harness = await createTestApp(await database.open(), {
        env: { COLLOQUY_DEFAULT_PERMISSION_LEVEL: '3', COLLOQUY_MCP_MAX_SERVERS_PER_USER: '3' },
      });
    });
    after(() => harness.close());

    it('creates exactly the most allowed (3) of 12 parallel new servers', async () => {
      const user = await signUp(harness.app);
      const other = await signUp(harness.app);
      const create = (token: string, name: string) =>
        harness.app.inject({ method: 'POST', url: '/api/mcp/servers', headers: bearer(token), payload: { name, url: `https://${name}.example.test/mcp` } });
      const answers = await Promise.all([
        ...Array.from({ length: 12 }, (_, index) => create(user.token, `server-${index}`)),
        create(other.token, 'theirs'),
      ]);
      const own = answers.slice(0, 12);
      assert.equal(own.filter((answer) => answer.statusCode === 200).length, 3, own.map((answer) => answer.body).join('\n'));
      for (const refused of own.filter((answer) => answer.statusCode !== 200)) {
        assert.equal(refused.statusCode, 400, refused.body);
        assert.match(json(refused).message ?? json(refused).detail, /you already have 3 MCP servers/);
      }
      assert.equal(answers[12]!.statusCode, 200, "another user's server is not counted");
      const listed = await harness.app.inject({ method: 'GET', url: '/api/mcp/servers', headers: bearer(user.token) });
      assert.equal(json(listed).data.length ?? json(listed).data.servers.length, 3);
    });
  });
}
