import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createGuardedHttpClient } from '../net/guarded-http-client.ts';
import { testSettings } from '../net/test-settings.ts';
import { createMcpConnection } from './mcp-connection.ts';
import { startTestMcpServer, type TestMcpServer } from './test-support/test-mcp-server.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('MCP client identity', () => {
  let server: TestMcpServer;
  before(async () => {
    server = await startTestMcpServer();
  });
  after(() => server.close());

  it('introduces itself with package.json’s version', async () => {
    const http = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.1'] }));
    const connection = createMcpConnection(
      { connectionKey: 'system:version', id: 'version', name: 'version', source: 'system', transport: 'streamable-http', url: server.url, headers: {}, permissionLevel: 0 },
      { http, clock: () => Date.now(), settings: { callTimeoutMs: 5000, toolListCacheMs: 0, maxResponseBytes: 1_000_000 } },
    );
    try {
      assert.ok((await connection.listTools()).length > 0);
      assert.deepEqual(server.clients, [{ name: 'colloquy', version: packageVersion }]);
    } finally {
      await connection.close();
      await http.close();
    }
  });
});
