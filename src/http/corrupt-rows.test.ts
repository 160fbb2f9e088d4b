import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { testDatabases } from '../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../test/support/test-app.ts';
import { createMessagesRepository } from '../storage/repositories/messages-repository.ts';

/** A stored value that is not JSON; the tests look for it in every answer and never want to find it. */
const corruptText = '{"kept": "by hand", "secret-looking-canary-7731" oops';

for (const database of testDatabases()) {
  describe(`a corrupt JSON column answers 500 and is never overwritten by a merge (${database.name})`, () => {
    let harness: TestApp;
    let user: { id: string; token: string };

    before(async () => {
      harness = await createTestApp(await database.open(), { env: { COLLOQUY_DEFAULT_PERMISSION_LEVEL: '3' } });
      user = await signUp(harness.app);
    });
    after(() => harness.close());

    const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
      harness.app.inject({ method, url, headers: bearer(user.token), ...(payload === undefined ? {} : { payload: payload as object }) });

    async function corrupt(table: string, column: string, where: Record<string, string>): Promise<void> {
      const conditions = sql.join(Object.entries(where).map(([name, value]) => sql`${sql.ref(name)} = ${value}`), sql` and `);
      await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${corruptText} where ${conditions}`.execute(harness.dependencies.database.db);
    }
    async function stored(table: string, column: string, where: Record<string, string>): Promise<unknown> {
      const conditions = sql.join(Object.entries(where).map(([name, value]) => sql`${sql.ref(name)} = ${value}`), sql` and `);
      const result = await sql<{ value: unknown }>`select ${sql.ref(column)} as value from ${sql.table(table)} where ${conditions}`.execute(harness.dependencies.database.db);
      return result.rows[0]?.value;
    }

    /** A generic 500 that names neither the row's contents nor the row; the log names the row. */
    function assertRefused(response: LightMyRequestResponse, where: RegExp): void {
      assert.equal(response.statusCode, 500, response.body);
      assert.equal(json(response).code, 'INTERNAL_ERROR');
      assert.ok(!response.body.includes('canary'), response.body);
      assert.ok(!response.body.includes('corrupt'), response.body);
      assert.ok(harness.logs.some((line) => where.test(line)), `no log line matches ${where}`);
    }

    it("messages.metadata: a metadata merge (PATCH /api/messages/:id) is refused and the stored text kept", async () => {
      const conversation = json(await call('POST', '/api/conversations', { title: 'c' })).data;
      const [message] = await createMessagesRepository(harness.dependencies.database.db).createMany(user.id, conversation.id, [
        { id: harness.dependencies.newId(), role: 'user', content: 'hi', metadata: { kept: 'by hand' }, now: new Date().toISOString() },
      ]);
      await corrupt('messages', 'metadata', { id: message!.id });
      assertRefused(await call('PATCH', `/api/messages/${message!.id}`, { metadata: { added: true } }), new RegExp(`messages\\.metadata of row ${message!.id}`));
      assert.equal(await stored('messages', 'metadata', { id: message!.id }), corruptText);
    });

    it('conversations.metadata: reading the conversation answers 500', async () => {
      const conversation = json(await call('POST', '/api/conversations', { title: 'c' })).data;
      await corrupt('conversations', 'metadata', { id: conversation.id });
      assertRefused(await call('GET', `/api/conversations/${conversation.id}`), new RegExp(`conversations\\.metadata of row ${conversation.id}`));
      assert.equal(await stored('conversations', 'metadata', { id: conversation.id }), corruptText);
    });

    it("agents.config: a config merge (PUT /api/agents/:id with a top-level model) is refused and the stored text kept", async () => {
      const created = await call('POST', '/api/agents', { name: 'Mine', provider: 'openai', config: { temperature: 0.3 } });
      assert.equal(created.statusCode, 200, created.body);
      const agent = json(created).data;
      await corrupt('agents', 'config', { id: agent.id });
      assertRefused(await call('PUT', `/api/agents/${agent.id}`, { model: 'gpt-4o' }), new RegExp(`agents\\.config of row ${agent.id}`));
      assert.equal(await stored('agents', 'config', { id: agent.id }), corruptText);
    });

    it('providers.settings: an update is refused and the stored text kept', async () => {
      const created = await call('POST', '/api/providers', { name: 'Mine', provider_type: 'openai', base_url: 'https://api.example.test/v1', api_key: 'sk-test-1234' });
      assert.equal(created.statusCode, 200, created.body);
      const provider = json(created).data;
      await corrupt('providers', 'settings', { id: provider.id });
      assertRefused(await call('PUT', `/api/providers/${provider.id}`, { name: 'Renamed' }), new RegExp(`providers\\.settings of row ${provider.id}`));
      assert.equal(await stored('providers', 'settings', { id: provider.id }), corruptText);
    });

    it('mcp_servers.header_hints: a header update, which reuses masked values, is refused and the stored text kept', async () => {
      const created = await call('POST', '/api/mcp/servers', { name: 'remote', url: 'https://mcp.example.test/mcp', headers: { Authorization: 'Bearer header-secret-1234' } });
      assert.equal(created.statusCode, 200, created.body);
      const server = json(created).data;
      await corrupt('mcp_servers', 'header_hints', { id: server.id });
      assertRefused(await call('PUT', `/api/mcp/servers/${server.id}`, { headers: { Authorization: 'Bearer …1234', 'X-Extra': 'e' } }), new RegExp(`mcp_servers\\.header_hints of row ${server.id}`));
      assert.equal(await stored('mcp_servers', 'header_hints', { id: server.id }), corruptText);
    });

    it('plugin_settings.setting_hints: replacing settings, which reuses masked values, is refused and the stored text kept', async () => {
      const saved = await call('PUT', '/api/plugins/weather/settings', { settings: { apiKey: 'plugin-secret-5678', units: 3 } });
      assert.equal(saved.statusCode, 200, saved.body);
      const row = { user_id: user.id, identifier: 'weather' };
      await corrupt('plugin_settings', 'setting_hints', row);
      assertRefused(await call('PUT', '/api/plugins/weather/settings', { settings: { apiKey: 'plug…5678', units: 4 } }), /plugin_settings\.setting_hints of row user_id=.*identifier=weather/);
      assert.equal(await stored('plugin_settings', 'setting_hints', row), corruptText);
    });
  });
}
