import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, signUp, type TestApp } from '../../test/support/test-app.ts';
import type { RequestContext } from '../auth/principal.ts';
import { createUsersRepository } from '../storage/repositories/users-repository.ts';
import { openDatabase } from '../storage/database.ts';
import { createMcpConnectionPool, type McpConnectionPool } from './mcp-connection-pool.ts';
import { createMcpLobeOperations } from './mcp-lobe-operations.ts';
import type { McpServerDefinition } from './mcp-server-definition.ts';
import { startTestMcpServer, type TestMcpServer } from './test-support/test-mcp-server.ts';

describe("LobeChat's ad-hoc MCP calls and the shared connection pool", () => {
  let harness: TestApp;
  let systemServer: TestMcpServer;
  let adHocServer: TestMcpServer;
  let pool: McpConnectionPool;
  let lobe: ReturnType<typeof createMcpLobeOperations>;
  let context: RequestContext;
  let system: McpServerDefinition;

  before(async () => {
    systemServer = await startTestMcpServer();
    adHocServer = await startTestMcpServer();
    // Loopback allowed, so the ad-hoc server can be reached at all.
    harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
      env: { COLLOQUY_OUTBOUND_ALLOW_HOSTS: '127.0.0.1' },
    });
    const { id } = await signUp(harness.app);
    const user = (await createUsersRepository(harness.dependencies.database.db).findById(id))!;
    context = { ip: '127.0.0.1', requestId: 'test', principal: { user, credential: 'access_token', permissionLevel: 3, isAdmin: false } };
    system = {
      connectionKey: 'system:calc', id: 'calc', name: 'calc', source: 'system', transport: 'streamable-http',
      url: systemServer.url, headers: {}, permissionLevel: 3,
    };
    // A long tool-list cache: a connection that stayed open would answer a second listing from it.
    pool = createMcpConnectionPool({
      http: harness.dependencies.http,
      clock: () => Date.now(),
      settings: { callTimeoutMs: 5000, toolListCacheMs: 600_000, maxResponseBytes: 1_000_000 },
    });
    lobe = createMcpLobeOperations({ pool, serversFor: async () => [system], audit: harness.dependencies.services.audit, maxOutputChars: 10_000 });
  });
  after(async () => {
    await pool?.close();
    await harness?.close();
    await systemServer?.close();
    await adHocServer?.close();
  });

  it("keeps ad-hoc connections out of the pool, so they cannot evict the operator's", async () => {
    const viaSystem = await lobe.callTool(context, { server: 'calc' }, 'add', { a: 1, b: 1 });
    assert.equal(viaSystem.text, '2');
    assert.equal(pool.size, 1);
    const systemConnection = pool.connectionFor(system);

    for (let index = 0; index < 3; index++) {
      const adHoc = { name: 'direct', url: `${adHocServer.url}?n=${index}` };
      assert.ok((await lobe.listTools(context, adHoc)).some((tool) => tool.name === 'add'));
      assert.equal((await lobe.callTool(context, adHoc, 'add', '{"a":2,"b":3}')).text, '5');
    }
    assert.equal(pool.size, 1, 'an ad-hoc connection took a pool slot');
    assert.equal(pool.connectionFor(system), systemConnection, "the operator's connection was replaced");
    assert.equal(adHocServer.calls.length, 3);
  });

  it('closes an ad-hoc connection after the call: nothing of it is reused', async () => {
    const adHoc = { name: 'direct', url: adHocServer.url };
    await lobe.listTools(context, adHoc);
    const afterFirst = adHocServer.requestHeaders.length;
    await lobe.listTools(context, adHoc);
    // A fresh connection initializes again and lists again, instead of answering from a cache.
    assert.ok(adHocServer.requestHeaders.length >= afterFirst + 2, 'the second listing reused the first connection');
    assert.equal(pool.size, 1);
  });
});
