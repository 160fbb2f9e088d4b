import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSse, renderSteps, startChatHarness, type ChatHarness } from '../../test/support/chat-harness.ts';
import { answer, text, toolCall } from '../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp } from '../../test/support/test-app.ts';
import { openDatabase } from '../storage/database.ts';
import { startTestMcpServer, type TestMcpServer } from './test-support/test-mcp-server.ts';

describe('MCP tools in /api/tools and in chat turns', () => {
  let harness: ChatHarness;
  let mcpServer: TestMcpServer;

  before(async () => {
    mcpServer = await startTestMcpServer();
    // The harness allows 127.0.0.1 (its fake upstream LLM is there), so the user's server is reachable.
    harness = await startChatHarness(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
      env: { COLLOQUY_DEFAULT_PERMISSION_LEVEL: '3' },
    });
    const created = await harness.app.inject({
      method: 'POST', url: '/api/mcp/servers', headers: bearer(harness.user.token), payload: { name: 'mine', url: mcpServer.url },
    });
    assert.equal(created.statusCode, 200, created.body);
  });
  after(async () => {
    await harness.close();
    await mcpServer.close();
  });

  it('lists the prefixed MCP tools in /api/tools and runs one through the tools API', async () => {
    const listed = await harness.app.inject({ method: 'GET', url: '/api/tools?category=mcp', headers: bearer(harness.user.token) });
    assert.equal(listed.statusCode, 200, listed.body);
    const names = json(listed).data.tools.map((tool: { name: string }) => tool.name).sort();
    assert.deepEqual(names, ['mine__add', 'mine__broken', 'mine__describe_image']);
    const executed = await harness.app.inject({
      method: 'POST', url: '/api/tools/mine__add/execute', headers: bearer(harness.user.token), payload: { a: 20, b: 22 },
    });
    assert.equal(executed.statusCode, 200, executed.body);
    assert.match(JSON.stringify(json(executed).data), /42/);
  });

  it('lets the model call an MCP tool in a turn and sees its result', async () => {
    const conversationId = await harness.newConversation();
    harness.fake.script(answer([toolCall('mine__add', { a: 2, b: 3 }, { id: 'call_1' })]), answer([text('It is 5.')]));
    const connection = await openSse(`${harness.baseUrl}/api/messages/stream`, {
      headers: bearer(harness.user.token),
      body: { conversation_id: conversationId, content: 'add 2 and 3', enabled_tools: ['mine__add'] },
    });
    const steps = renderSteps(await connection.ended) as any[];
    assert.deepEqual(steps.map((step) => step.type), ['tool_call', 'tool_result', 'text']);
    assert.equal(steps[1].content, '5');
    const offered = (harness.fake.chatRequests.at(-2)!.body as any).tools.map((tool: any) => tool.function.name);
    assert.deepEqual(offered, ['mine__add']);
    assert.deepEqual(mcpServer.calls.at(-1), { name: 'add', args: { a: 2, b: 3 } });
  });

  it('neither offers nor runs MCP tools for a READ_ONLY user', async () => {
    const reader = await signUp(harness.app);
    await harness.dependencies.database.db.updateTable('users').set({ permissionLevel: 1 }).where('id', '=', reader.id).execute();
    const provider = await harness.app.inject({
      method: 'POST', url: '/api/providers', headers: bearer(reader.token),
      payload: { name: 'Fake', provider_type: 'openai', base_url: harness.fake.openaiBaseUrl, api_key: 'sk-reader-0123456789abcdef', default_model: 'fake-model', is_default: true },
    });
    assert.equal(provider.statusCode, 200, provider.body);
    const own = await harness.app.inject({ method: 'POST', url: '/api/mcp/servers', headers: bearer(reader.token), payload: { name: 'theirs', url: mcpServer.url } });
    assert.equal(own.statusCode, 200, own.body);
    const listed = await harness.app.inject({ method: 'GET', url: '/api/tools?category=mcp', headers: bearer(reader.token) });
    assert.deepEqual(json(listed).data.tools, []);
    const refused = await harness.app.inject({ method: 'POST', url: '/api/tools/theirs__add/execute', headers: bearer(reader.token), payload: { a: 1, b: 1 } });
    assert.equal(refused.statusCode, 403, refused.body);
    const others = await harness.app.inject({ method: 'POST', url: '/api/tools/mine__add/execute', headers: bearer(reader.token), payload: { a: 1, b: 1 } });
    assert.equal(others.statusCode, 404, others.body);

    const callsBefore = mcpServer.calls.length;
    const conversation = await harness.app.inject({ method: 'POST', url: '/api/conversations', headers: bearer(reader.token), payload: { title: 'T' } });
    harness.fake.script(answer([toolCall('theirs__add', { a: 1, b: 1 }, { id: 'call_2' })]), answer([text('I cannot.')]));
    const connection = await openSse(`${harness.baseUrl}/api/messages/stream`, {
      headers: bearer(reader.token),
      body: { conversation_id: json(conversation).data.id, content: 'add', enabled_tools: ['theirs__add'] },
    });
    const steps = renderSteps(await connection.ended) as any[];
    assert.equal((harness.fake.chatRequests.at(-2)!.body as any).tools, undefined, 'no tool may be offered');
    assert.equal(steps.find((step) => step.type === 'tool_result')?.content.includes('needs the EXECUTE'), true);
    assert.equal(mcpServer.calls.length, callsBefore);
  });
});
