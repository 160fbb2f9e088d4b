import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { bearer, createTestApp, json, signUp, testEnvironment, type TestApp } from '../../test/support/test-app.ts';
import { ConfigError, parseConfig } from '../config/load-config.ts';
import { openDatabase } from '../storage/database.ts';

const serverScript = fileURLToPath(new URL('./test-support/stdio-test-mcp-server.mjs', import.meta.url));
const markerName = 'COLLOQUY_TEST_STDIO_MARKER';
const markerValue = 'stdio-marker-value-0123456789';
/** Planted in this test process: a child given only its configured env must not see it. */
const canaryName = 'COLLOQUY_TEST_STDIO_CANARY';

/** True while a process with this pid exists (a reaped child no longer does). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 100 && isAlive(pid); attempt++) await sleep(20);
  return !isAlive(pid);
}

describe("the operator's stdio MCP servers (config file only)", () => {
  let harness: TestApp;
  let configDir: string;
  let executor: { id: string; token: string };
  let reader: { id: string; token: string };
  let childPid: number | undefined;

  const execute = (token: string, tool: string, payload: object) =>
    harness.app.inject({ method: 'POST', url: `/api/tools/${tool}/execute`, headers: bearer(token), payload });
  const readEnvironment = async (name: string) => {
    const response = await execute(executor.token, 'local__read_environment', { name });
    assert.equal(response.statusCode, 200, response.body);
    return JSON.parse(json(response).data.result) as { pid: number; visible: boolean; value: string | null };
  };

  before(async () => {
    process.env[canaryName] = 'must-not-reach-the-child';
    configDir = mkdtempSync(path.join(tmpdir(), 'colloquy-mcp-stdio-'));
    const configFile = path.join(configDir, 'colloquy.config.json');
    // The file an operator would write; read by the real loader through COLLOQUY_CONFIG.
    writeFileSync(configFile, JSON.stringify({
      mcp: {
        servers: [
          {
            name: 'local', transport: 'stdio', command: process.execPath, args: [serverScript],
            env: { [markerName]: markerValue }, description: 'A local test server',
          },
          { name: 'off', transport: 'stdio', command: path.join(configDir, 'no-such-program'), enabled: false },
        ],
      },
    }));
    harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
      env: { COLLOQUY_CONFIG: configFile, COLLOQUY_DEFAULT_PERMISSION_LEVEL: '3' },
    });
    executor = await signUp(harness.app);
    reader = await signUp(harness.app);
    await harness.dependencies.database.db.updateTable('users').set({ permissionLevel: 1 }).where('id', '=', reader.id).execute();
  });
  after(async () => {
    delete process.env[canaryName];
    await harness?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('reads the stdio server from the config file, shows it without its process settings', async () => {
    assert.deepEqual(harness.config.mcp.servers.map((server) => [server.name, server.transport, server.enabled]), [
      ['local', 'stdio', true],
      ['off', 'stdio', false],
    ]);
    const listed = await harness.app.inject({ method: 'GET', url: '/api/mcp/servers', headers: bearer(executor.token) });
    assert.equal(listed.statusCode, 200, listed.body);
    const shown = json(listed).data.servers;
    assert.deepEqual(shown.map((server: { name: string }) => server.name), ['local'], 'a disabled server is not offered');
    assert.deepEqual([shown[0].source, shown[0].transport, shown[0].url], ['system', 'stdio', null]);
    assert.equal(listed.body.includes(markerValue), false, 'the configured env is never shown');
    assert.equal(listed.body.includes(serverScript), false, 'nor the command line');
    const viaApi = await harness.app.inject({
      method: 'POST', url: '/api/mcp/servers', headers: bearer(executor.token),
      payload: { name: 'mine', transport: 'stdio', command: process.execPath, args: [serverScript] },
    });
    assert.equal(viaApi.statusCode, 400, viaApi.body);
  });

  it('lists its tools prefixed by the server name in /api/tools and runs one for an EXECUTE user', async () => {
    const listed = await harness.app.inject({ method: 'GET', url: '/api/tools?category=mcp', headers: bearer(executor.token) });
    assert.equal(listed.statusCode, 200, listed.body);
    const names = json(listed).data.tools.map((tool: { name: string }) => tool.name).sort();
    assert.deepEqual(names, ['local__add', 'local__read_environment'], 'the disabled server is not started');
    const added = await execute(executor.token, 'local__add', { a: 20, b: 22 });
    assert.equal(added.statusCode, 200, added.body);
    assert.deepEqual(json(added).data, { tool: 'local__add', result: '42', is_error: false });
  });

  it('gives the child its configured env and none of the server process environment', async () => {
    const marker = await readEnvironment(markerName);
    assert.deepEqual({ visible: marker.visible, value: marker.value }, { visible: true, value: markerValue });
    childPid = marker.pid;
    assert.notEqual(childPid, process.pid);
    assert.ok(isAlive(childPid));
    const canary = await readEnvironment(canaryName);
    assert.equal(canary.visible, false, 'a variable of the server process leaked into the child');
    assert.equal(canary.pid, childPid, 'one child serves every call');
    assert.equal(harness.logs.join('').includes(markerValue), false);
  });

  it('refuses a READ_ONLY user: no tools listed, a call answers 403', async () => {
    const listed = await harness.app.inject({ method: 'GET', url: '/api/tools?category=mcp', headers: bearer(reader.token) });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(json(listed).data.tools, []);
    const refused = await execute(reader.token, 'local__add', { a: 1, b: 1 });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.match(json(refused).message, /EXECUTE|permission level 3/);
  });

  it('starts a new child after the old one died', async () => {
    const first = (await readEnvironment(markerName)).pid;
    process.kill(first, 'SIGKILL');
    assert.ok(await waitUntilGone(first), 'the killed child was not reaped');
    await sleep(50);
    const again = await execute(executor.token, 'local__add', { a: 1, b: 2 });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(json(again).data.result, '3');
    childPid = (await readEnvironment(markerName)).pid;
    assert.notEqual(childPid, first);
  });

  it('ends the child process when the app closes', async () => {
    assert.ok(childPid !== undefined && isAlive(childPid));
    await harness.close();
    harness = undefined as unknown as TestApp;
    assert.equal(isAlive(childPid), false, `child ${childPid} outlived the app`);
  });
});

describe('stdio MCP servers from the environment', () => {
  it('is a config error, even for a server the config file could hold', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'colloquy-mcp-stdio-env-'));
    try {
      const servers = JSON.stringify([{ name: 'local', transport: 'stdio', command: process.execPath, args: [serverScript] }]);
      assert.throws(
        () => parseConfig(testEnvironment({ COLLOQUY_DATA_DIR: dir, COLLOQUY_MCP_SERVERS: servers }), dir),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, /invalid setting mcp\.servers\.0 \(COLLOQUY_MCP_SERVERS\): .*stdio servers can only be configured in the config file/);
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
