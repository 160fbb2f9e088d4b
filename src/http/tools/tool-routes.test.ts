import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { startLoopbackTestServer, type LoopbackTestServer } from '../../net/loopback-test-server.ts';
import { openDatabase } from '../../storage/database.ts';
import type { ToolDefinition } from '../../tools/tool-registry.ts';

/** A harmless tool per level that counts its runs, so a refusal can be shown to run nothing. */
function countingTool(name: string, permissionLevel: number) {
  const runs: unknown[] = [];
  const tool: ToolDefinition = {
    name,
    description: `counts runs (level ${permissionLevel})`,
    category: 'test',
    permissionLevel,
    inputSchema: { type: 'object', properties: { note: { type: 'string' } } },
    async execute(input) {
      runs.push(input);
      return { output: `ran ${name}`, isError: false };
    },
  };
  return { tool, runs };
}

const levelTools = [1, 2, 3, 4].map((level) => countingTool(`level_${level}_probe`, level));

describe('tools API', () => {
  let test: TestApp;
  let site: LoopbackTestServer;
  let user: { id: string; token: string };

  before(async () => {
    site = await startLoopbackTestServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (path === '/html/') {
        response.setHeader('content-type', 'text/html');
        return void response.end(`<div class="result"><a class="result__a" href="//duckduckgo.com/l/?uddg=${encodeURIComponent('https://example.org/a')}">Example A</a><a class="result__snippet">About A</a></div>`);
      }
      response.setHeader('content-type', 'text/plain');
      response.end(`page ${path}`);
    });
    test = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
      env: { COLLOQUY_OUTBOUND_ALLOW_HOSTS: '127.0.0.1', COLLOQUY_DUCKDUCKGO_URL: `${site.origin}/html/`, COLLOQUY_FETCH_MAX_URLS: '2' },
      dependencies: { tools: levelTools.map(({ tool }) => tool) },
    });
    user = await signUp(test.app);
  });
  after(async () => {
    await test.close();
    await site.close();
  });

  const setLevel = (level: number) => test.dependencies.repositories.users.update(user.id, { permissionLevel: level }, new Date().toISOString());
  const get = (url: string) => test.app.inject({ url, headers: bearer(user.token) });
  const execute = (name: string, payload: unknown) =>
    test.app.inject({ method: 'POST', url: `/api/tools/${name}/execute`, headers: bearer(user.token), payload: payload as object });
  const refusals = () => test.dependencies.repositories.audit.listRecent(100, { action: 'tool.refused', actorUserId: user.id });

  it('lists only the tools the caller may use, with categories and a total, and filters by category', async () => {
    await setLevel(1);
    const listed = json(await get('/api/tools'));
    const names = listed.data.tools.map((tool: { name: string }) => tool.name);
    for (const name of ['web_search', 'web_fetch', 'batch_fetch', 'process_data', 'level_1_probe']) assert.ok(names.includes(name), name);
    assert.ok(!names.includes('level_2_probe') && !names.includes('level_3_probe'));
    assert.equal(listed.data.total, names.length);
    assert.deepEqual(listed.data.categorized.crawler.map((tool: { name: string }) => tool.name).sort(), ['batch_fetch', 'web_fetch', 'web_search']);
    const search = listed.data.tools.find((tool: { name: string }) => tool.name === 'web_search');
    assert.deepEqual([search.category, search.permission_level, search.permission, search.parameters.required], ['crawler', 1, 'READ_ONLY', ['query']]);

    const data = json(await get('/api/tools?category=data')).data;
    assert.deepEqual(data.tools.map((tool: { name: string }) => tool.name), ['process_data']);
    assert.deepEqual(Object.keys(data.categorized), ['data']);

    await setLevel(3);
    const more = json(await get('/api/tools?category=test')).data.tools.map((tool: { name: string }) => tool.name);
    assert.deepEqual(more, ['level_1_probe', 'level_2_probe', 'level_3_probe']);
    assert.equal((await test.app.inject({ url: '/api/tools' })).statusCode, 401);
  });

  it('describes one tool, 404 for unknown names and 403 above the level', async () => {
    await setLevel(1);
    const one = json(await get('/api/tools/process_data'));
    assert.equal(one.data.name, 'process_data');
    assert.equal(one.data.parameters.type, 'object');
    assert.equal((await get('/api/tools/no_such_tool')).statusCode, 404);
    const above = await get('/api/tools/level_3_probe');
    assert.equal(above.statusCode, 403);
    assert.match(json(above).message, /needs the EXECUTE permission level/);
  });

  it('executes a tool with the body as arguments and answers {result} in the envelope', async () => {
    await setLevel(1);
    const response = await execute('process_data', { data: [{ a: 2 }, { a: 1 }], operations: [{ op: 'sort', field: 'a' }], format: 'csv' });
    assert.equal(response.statusCode, 200, response.body);
    const body = json(response);
    assert.equal(body.success, true);
    assert.deepEqual(body.data, { tool: 'process_data', result: 'a\r\n1\r\n2', is_error: false });
    const fetched = json(await execute('web_fetch', { url: `${site.origin}/hello` })).data;
    assert.equal(JSON.parse(fetched.result).content, 'page /hello');
    const bad = await execute('process_data', { operations: 'not a list' });
    assert.equal(bad.statusCode, 400);
    assert.match(json(bad).message, /invalid input for process_data/);
    assert.equal((await execute('no_such_tool', {})).statusCode, 404);
  });

  it('refuses execution above the level with 403, runs nothing, and audits the refusal', async () => {
    await setLevel(2);
    const before = (await refusals()).length;
    const response = await execute('level_3_probe', { note: 'should not run' });
    assert.equal(response.statusCode, 403);
    assert.match(json(response).message, /Tool "level_3_probe" needs the EXECUTE permission level \(3\); this user has WRITE \(2\)/);
    assert.equal(levelTools[2]!.runs.length, 0);
    const rows = await refusals();
    assert.equal(rows.length, before + 1);
    const row = rows[0]!;
    assert.deepEqual([row.result, row.targetType, row.targetId], ['denied', 'tool', 'level_3_probe']);
    assert.deepEqual(JSON.parse(row.details!), { reason: 'permission_level', via: 'api', permissionLevel: 2 });
    assert.ok(row.requestId && row.ip);
  });

  it('permission matrix: every level against every registered tool', async () => {
    const all = await test.dependencies.tools.registry.list(user.id);
    const names = all.map((tool) => tool.name);
    for (const name of ['web_search', 'web_fetch', 'batch_fetch', 'process_data', 'python_execute', 'python_eval', 'shell_execute', 'file_read', 'file_write', 'level_4_probe']) {
      assert.ok(names.includes(name), `${name} is in the matrix`);
    }
    // Count every tool's runs, so a refusal is shown to run nothing, whatever the tool.
    const runs = new Map<string, number>();
    const originals = new Map(all.map((tool) => [tool, tool.execute]));
    for (const tool of all) {
      const original = tool.execute.bind(tool);
      tool.execute = (input, context) => {
        runs.set(tool.name, (runs.get(tool.name) ?? 0) + 1);
        return original(input, context);
      };
    }
    try {
      for (const level of [1, 2, 3, 4]) {
        await setLevel(level);
        for (const tool of all) {
          const allowed = level >= tool.permissionLevel;
          const offered = await test.dependencies.tools.registry.available(user.id, [tool.name], level);
          assert.equal(offered.length === 1, allowed, `${tool.name} offered at level ${level}`);
          const before = runs.get(tool.name) ?? 0;
          // An empty argument object: every real tool refuses it as invalid input, harmlessly.
          const response = await execute(tool.name, {});
          const refused = response.statusCode === 403 && /permission level/.test(json(response).message);
          assert.equal(refused, !allowed, `${tool.name} at level ${level}: ${response.statusCode} ${response.body}`);
          assert.equal((runs.get(tool.name) ?? 0) - before, allowed ? 1 : 0, `${tool.name} ran at level ${level}`);
        }
      }
    } finally {
      for (const [tool, execute] of originals) tool.execute = execute;
    }
  });

  it("serves LobeChat's tools.search query and crawlPages", async () => {
    await setLevel(1);
    const query = await test.app.inject({ method: 'POST', url: '/api/search/query', headers: bearer(user.token), payload: { query: 'example', optionalParams: { searchEngines: ['google'] } } });
    assert.equal(query.statusCode, 200, query.body);
    const answer = json(query).data;
    assert.equal(answer.query, 'example');
    assert.equal(answer.resultNumbers, 1);
    assert.deepEqual(answer.results[0], { title: 'Example A', url: 'https://example.org/a', content: 'About A', engines: ['duckduckgo'], category: 'general', parsedUrl: 'example.org', score: 1 });

    const crawl = await test.app.inject({
      method: 'POST', url: '/api/search/crawl-pages', headers: bearer(user.token), payload: { urls: [`${site.origin}/one`, 'http://169.254.169.254/'] },
    });
    assert.equal(crawl.statusCode, 200, crawl.body);
    const [ok, refused] = json(crawl).data.results;
    assert.deepEqual(ok.data, { content: 'page /one', contentType: 'text', title: '', url: `${site.origin}/one`, length: 9 });
    assert.equal(refused.data.errorType, 'OUTBOUND_BLOCKED');
    assert.match(refused.data.errorMessage, /link-local/);
    const tooMany = await test.app.inject({ method: 'POST', url: '/api/search/crawl-pages', headers: bearer(user.token), payload: { urls: ['http://a.test/', 'http://b.test/', 'http://c.test/'] } });
    assert.equal(tooMany.statusCode, 400);
    assert.match(json(tooMany).message, /at most 2 URLs/);
  });
});
