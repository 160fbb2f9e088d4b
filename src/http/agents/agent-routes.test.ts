import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { answer, text } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp } from '../../../test/support/test-app.ts';
import { createAdmin } from '../../cli/ensure-admin.ts';

for (const database of testDatabases()) {
  describe(`agents (${database.name})`, () => {
    let harness: ChatHarness;
    let admin: { token: string };
    let agentsFile: string;
    before(async () => {
      agentsFile = path.join(tmpdir(), `colloquy-agents-${process.pid}-${database.name}.yaml`);
      writeFileSync(agentsFile, 'agents:\n  - id: file-writer\n    name: File writer\n    provider: openai\n');
      harness = await startChatHarness(await database.open(), {
        env: { COLLOQUY_AGENTS_FILE: agentsFile },
      });
      await createAdmin(harness.dependencies, { username: `root${database.name}`, password: 'root password 1' });
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `root${database.name}`, password: 'root password 1' } });
      admin = { token: json(login).data.token };
    });
    after(async () => {
      await harness.close();
      rmSync(agentsFile, { force: true });
    });

    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: unknown) =>
      harness.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });

    it('reads the agents file at start; users see system agents and only their own', async () => {
      const list = json(await call('GET', '/api/agents', harness.user.token)).data;
      assert.ok(Array.isArray(list));
      assert.deepEqual(list.map((agent: any) => [agent.id, agent.owner, agent.source]), [['file-writer', 'system', 'file']]);

      const mine = json(await call('POST', '/api/agents', harness.user.token, { name: 'Mine', provider: harness.providerId, category: 'code' })).data;
      assert.equal(mine.owner, 'user');
      assert.equal(mine.visibility, 'private');
      const other = await signUp(harness.app);
      assert.equal((await call('GET', `/api/agents/${mine.id}`, other.token)).statusCode, 404);
      assert.equal((await call('PUT', `/api/agents/${mine.id}`, other.token, { name: 'Stolen' })).statusCode, 404);
      assert.equal((await call('DELETE', `/api/agents/${mine.id}`, other.token)).statusCode, 404);
      assert.deepEqual(json(await call('GET', '/api/agents', other.token)).data.map((agent: any) => agent.id), ['file-writer']);
      // An admin's powers are over system agents; a user's own agent is theirs alone.
      assert.equal((await call('GET', `/api/agents/${mine.id}`, admin.token)).statusCode, 404);
      assert.equal((await call('PUT', `/api/agents/${mine.id}`, admin.token, { name: 'Stolen' })).statusCode, 404);
      assert.equal((await call('DELETE', `/api/agents/${mine.id}`, admin.token)).statusCode, 404);
      assert.equal(json(await call('GET', `/api/agents/${mine.id}`, harness.user.token)).data.name, 'Mine');

      const page = json(await call('GET', '/api/agents?page=1&limit=1&category=code', harness.user.token)).data;
      assert.deepEqual(page.items.map((agent: any) => agent.id), [mine.id]);
      assert.deepEqual(page.pagination, { page: 1, limit: 1, total: 1, totalPages: 1 });
    });

    it('updates partially (isActive), hides inactive agents unless asked, and guards system agents', async () => {
      const agent = json(await call('POST', '/api/agents', harness.user.token, { name: 'Toggle', provider: 'openai', config: { temperature: 0.5 } })).data;
      const updated = json(await call('PUT', `/api/agents/${agent.id}`, harness.user.token, { isActive: false })).data;
      assert.equal(updated.status, 'inactive');
      assert.equal(updated.name, 'Toggle');
      assert.deepEqual(updated.config, { temperature: 0.5 });
      const active = json(await call('GET', '/api/agents', harness.user.token)).data.map((item: any) => item.id);
      assert.ok(!active.includes(agent.id));
      const all = json(await call('GET', '/api/agents?includeInactive=true', harness.user.token)).data.map((item: any) => item.id);
      assert.ok(all.includes(agent.id));

      assert.equal((await call('PUT', '/api/agents/file-writer', harness.user.token, { name: 'x' })).statusCode, 403);
      assert.equal((await call('POST', '/api/agents', harness.user.token, { name: 'Sys', provider: 'openai', scope: 'system' })).statusCode, 403);
      const bad = await call('POST', '/api/agents', harness.user.token, { name: 'Bad', provider: 'openai', config: { temprature: 1 } });
      assert.equal(bad.statusCode, 400);
      assert.equal((await call('DELETE', `/api/agents/${agent.id}`, harness.user.token)).statusCode, 200);
      assert.equal((await call('GET', `/api/agents/${agent.id}`, harness.user.token)).statusCode, 404);
    });

    it('reloads the agents file: reports added, updated, removed and invalid entries, and keeps the valid ones', async () => {
      assert.equal((await call('POST', '/api/agents/reload', harness.user.token)).statusCode, 403);
      const taken = json(await call('POST', '/api/agents', admin.token, { id: 'admin-made', name: 'Admin made', provider: 'openai', scope: 'system' })).data;
      assert.equal(taken.source, 'admin');
      writeFileSync(
        agentsFile,
        [
          'agents:',
          '  - id: file-writer', '    name: File writer v2', '    provider: openai', '    model: gpt-4o', '    isActive: true',
          '  - id: translator', '    name: Translator', '    provider: dify', '    config: { variables: { lang: fr } }',
          '  - id: broken', '    provider: openai',
          '  - id: translator', '    name: Duplicate', '    provider: openai',
          '  - id: admin-made', '    name: Clash', '    provider: openai',
          '  - name: No id', '    provider: openai', '    temperature: 9',
        ].join('\n'),
      );
      const report = json(await call('POST', '/api/agents/reload', admin.token)).data;
      assert.deepEqual(report.added, ['translator']);
      assert.deepEqual(report.updated, ['file-writer']);
      assert.deepEqual(report.removed, []);
      assert.deepEqual(report.invalid.map((entry: any) => [entry.index, entry.id ?? null]), [[2, 'broken'], [3, 'translator'], [5, null], [4, 'admin-made']]);
      assert.match(report.invalid[0].reason, /name/);
      assert.match(report.invalid[1].reason, /duplicate/);
      assert.match(report.invalid[2].reason, /id/);
      assert.match(report.invalid[3].reason, /made through the API/);
      const writer = json(await call('GET', '/api/agents/file-writer', harness.user.token)).data;
      assert.equal(writer.name, 'File writer v2');
      assert.equal(writer.model, 'gpt-4o');
      assert.equal(json(await call('GET', '/api/agents/admin-made', harness.user.token)).data.name, 'Admin made');

      // An entry that turns invalid keeps its stored version; an entry gone from the file is removed.
      writeFileSync(agentsFile, JSON.stringify([{ id: 'file-writer', name: '', provider: 'openai' }]));
      const second = json(await call('POST', '/api/agents/reload', admin.token)).data;
      assert.deepEqual(second.removed, ['translator']);
      assert.deepEqual(second.invalid.map((entry: any) => entry.id), ['file-writer']);
      assert.equal(json(await call('GET', '/api/agents/file-writer', harness.user.token)).data.name, 'File writer v2');

      writeFileSync(agentsFile, '{ not json');
      const unreadable = await call('POST', '/api/agents/reload', admin.token);
      assert.equal(unreadable.statusCode, 400);
      assert.match(json(unreadable).message, /not valid YAML/);
      assert.equal((await call('GET', '/api/agents/file-writer', harness.user.token)).statusCode, 200);
    });

    it("reports the status of an agent's provider: reachable, and unreachable", async () => {
      const reachable = json(await call('POST', '/api/agents', harness.user.token, { name: 'Up', provider: harness.providerId, config: { model: 'fake-model' } })).data;
      harness.fake.script(answer([text('pong')]));
      const up = json(await call('GET', `/api/agents/${reachable.id}/status`, harness.user.token)).data;
      assert.equal(up.status, 'online');
      assert.equal(up.providerId, harness.providerId);
      assert.ok(up.latency >= 0);
      assert.ok(!Number.isNaN(Date.parse(up.checkedAt)));

      const provider = json(await call('POST', '/api/providers', harness.user.token, {
        name: 'Gone', provider_type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', default_model: 'm',
      })).data;
      const unreachable = json(await call('POST', '/api/agents', harness.user.token, { name: 'Down', provider: provider.id })).data;
      const down = json(await call('GET', `/api/agents/${unreachable.id}/status`, harness.user.token)).data;
      assert.equal(down.status, 'offline');
      assert.match(down.message, /Connection failed/);

      const unconfigured = json(await call('POST', '/api/agents', harness.user.token, { name: 'Nowhere', provider: 'anthropic' })).data;
      const none = json(await call('GET', `/api/agents/${unconfigured.id}/status`, harness.user.token)).data;
      assert.equal(none.status, 'offline');
      assert.equal(none.providerId, null);
      assert.match(none.message, /not configured/);
    });
  });
}
