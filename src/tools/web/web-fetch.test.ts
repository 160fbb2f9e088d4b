import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../../errors/app-error.ts';
import { createGuardedHttpClient, type GuardedHttpClient } from '../../net/guarded-http-client.ts';
import { startLoopbackTestServer, type LoopbackTestServer } from '../../net/loopback-test-server.ts';
import { testSettings } from '../../net/test-settings.ts';
import type { ToolDefinition } from '../tool-registry.ts';
import { createWebTools } from './web-tools.ts';

const context = { userId: 'u1', permissionLevel: 1, toolCallId: 'c1', signal: new AbortController().signal };

const article = `<!DOCTYPE html><html><head><title>Tide tables</title><meta name="description" content="When the sea comes in">
<script>window.secret = "script text must not appear"</script><style>.x { color: red }</style></head>
<body><nav>Home | About | Contact</nav><article><h1>Tide tables</h1>
<p>The tide comes in twice a day. ${'Tides follow the moon and the sun. '.repeat(15)}</p>
<p>See <a href="/charts/today">today's chart</a> for details. ${'Spring tides are higher than neap tides. '.repeat(15)}</p>
<ul><li>High water 06:12</li><li>Low water 12:30</li></ul></article><footer>© Harbour office</footer></body></html>`;

const tools = (http: Pick<GuardedHttpClient, 'fetchWith'>, overrides: { fetchMaxBytes?: number; fetchTimeoutMs?: number; fetchMaxChars?: number } = {}) => {
  const created = createWebTools(
    http,
    { duckduckgoUrl: 'http://127.0.0.1:9/', searchMaxResults: 5, fetchMaxBytes: 64 * 1024, fetchTimeoutMs: 2000, fetchMaxUrls: 3, fetchMaxChars: 50_000, ...overrides },
    { warn: () => undefined },
  );
  const byName = (name: string) => created.tools.find((tool) => tool.name === name)!;
  return { webFetch: byName('web_fetch'), batchFetch: byName('batch_fetch') };
};
const run = async (tool: ToolDefinition, input: unknown) => JSON.parse((await tool.execute(input, context)).output);

describe('web_fetch and batch_fetch', () => {
  let site: LoopbackTestServer;
  let http: GuardedHttpClient;

  before(async () => {
    site = await startLoopbackTestServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const send = (type: string, body: string | Buffer) => response.writeHead(200, { 'content-type': type }).end(body);
      if (path === '/article') return send('text/html; charset=utf-8', article);
      if (path === '/notes.txt') return send('text/plain', 'plain notes\nline two');
      if (path === '/data.json') return send('application/json', '{"a":[1,2]}');
      if (path === '/image.png') return send('image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      if (path === '/huge') return send('text/plain', 'x'.repeat(100 * 1024));
      if (path === '/long') return send('text/plain', 'y'.repeat(5000));
      if (path === '/slow') return; // never answers
      if (path === '/moved') return void response.writeHead(302, { location: '/article' }).end();
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    });
    http = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.1'] }));
  });
  after(async () => {
    await http.close();
    await site.close();
  });

  it('are READ_ONLY crawler tools', () => {
    const { webFetch, batchFetch } = tools(http);
    assert.deepEqual([webFetch.permissionLevel, webFetch.category, batchFetch.permissionLevel, batchFetch.category], [1, 'crawler', 1, 'crawler']);
  });

  it('turns an HTML page into readable markdown, without scripts or navigation, with absolute links', async () => {
    const page = await run(tools(http).webFetch, { url: `${site.origin}/moved` });
    assert.equal(page.final_url, `${site.origin}/article`);
    assert.equal(page.title, 'Tide tables');
    assert.equal(page.description, 'When the sea comes in');
    assert.equal(page.content_type, 'text/html');
    assert.match(page.content, /The tide comes in twice a day\./);
    assert.match(page.content, new RegExp(`\\[today's chart\\]\\(${site.origin}/charts/today\\)`));
    assert.match(page.content, /-\s+High water 06:12/);
    assert.doesNotMatch(page.content, /script text must not appear|color: red|Home \| About/);
    assert.equal(page.truncated, false);
    const text = await run(tools(http).webFetch, { url: `${site.origin}/article`, format: 'text' });
    assert.match(text.content, /The tide comes in twice a day\./);
    assert.doesNotMatch(text.content, /\]\(/);
  });

  it('passes plain text and JSON through, and refuses other content types clearly', async () => {
    const { webFetch } = tools(http);
    assert.equal((await run(webFetch, { url: `${site.origin}/notes.txt` })).content, 'plain notes\nline two');
    assert.equal((await run(webFetch, { url: `${site.origin}/data.json` })).content, '{\n  "a": [\n    1,\n    2\n  ]\n}');
    await assert.rejects(webFetch.execute({ url: `${site.origin}/image.png` }, context), (error: unknown) => {
      assert.ok(error instanceof AppError && error.code === 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(error.message, /is image\/png; only HTML, plain text and JSON pages can be read/);
      return true;
    });
    await assert.rejects(webFetch.execute({ url: `${site.origin}/missing` }, context), /answered HTTP 404/);
    await assert.rejects(webFetch.execute({ url: 'file:///etc/passwd' }, context), /only http:\/\/ and https:\/\/ URLs/);
  });

  it('caps size, time and length', async () => {
    const small = tools(http, { fetchMaxBytes: 16 * 1024, fetchTimeoutMs: 300, fetchMaxChars: 1000 }).webFetch;
    await assert.rejects(small.execute({ url: `${site.origin}/huge` }, context), /larger than the 16384-byte limit/);
    const started = Date.now();
    await assert.rejects(small.execute({ url: `${site.origin}/slow` }, context), /did not answer within 300 ms/);
    assert.ok(Date.now() - started < 1500, 'the time cap ends the wait');
    const long = await run(small, { url: `${site.origin}/long` });
    assert.equal(long.truncated, true);
    assert.match(long.content, /^y{1000}\n…\[truncated at 1000 characters\]$/);
  });

  it('batch_fetch reads several pages at once, reports each failure, and caps the number of URLs', async () => {
    const { batchFetch } = tools(http);
    const result = await batchFetch.execute({ urls: [`${site.origin}/article`, `${site.origin}/notes.txt`, `${site.origin}/image.png`] }, context);
    const batch = JSON.parse(result.output);
    assert.equal(result.isError, false);
    assert.deepEqual([batch.fetched, batch.failed], [2, 1]);
    assert.equal(batch.results[0].title, 'Tide tables');
    assert.equal(batch.results[1].content, 'plain notes\nline two');
    assert.match(batch.results[2].error, /image\/png/);
    await assert.rejects(batchFetch.execute({ urls: ['a', 'b', 'c', 'd'].map((name) => `${site.origin}/${name}`) }, context), /invalid input for batch_fetch.*3/);
  });
});

describe('web_fetch refuses private addresses (no allow-list)', () => {
  let target: LoopbackTestServer;
  let redirector: LoopbackTestServer;
  let http: GuardedHttpClient;

  before(async () => {
    target = await startLoopbackTestServer((_request, response) => response.end('internal secret'));
    redirector = await startLoopbackTestServer((request, response) => {
      const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
      response.writeHead(302, { location: to }).end();
    });
    // Only `public.example` (which the test DNS resolves to the redirector's loopback) is allowed.
    http = createGuardedHttpClient(testSettings({ allowHosts: ['public.example'] }));
  });
  after(async () => {
    await http.close();
    await target.close();
    await redirector.close();
  });

  const refusedFor = async (url: string, reason: RegExp) => {
    const { webFetch, batchFetch } = tools(http);
    await assert.rejects(webFetch.execute({ url }, context), (error: unknown) => {
      assert.ok(error instanceof AppError && error.code === 'OUTBOUND_BLOCKED', String(error));
      assert.match(error.message, reason);
      return true;
    });
    const batch = JSON.parse((await batchFetch.execute({ urls: [url] }, context)).output);
    assert.match(batch.results[0].error, reason);
  };

  it('refuses loopback and link-local targets directly', async () => {
    await refusedFor(`${target.origin}/`, /127\.0\.0\.1 \(loopback address\)/);
    // A name that resolves to loopback is refused after DNS, at connect time.
    await refusedFor(`http://loopback.example:${target.port}/`, /127\.0\.0\.1 \(loopback address\)/);
    await refusedFor('http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 \(link-local address\)/);
    await refusedFor('http://[::1]:80/', /loopback/);
    assert.equal(target.connectionCount, 0);
  });

  it('refuses a redirect to loopback or link-local, without connecting', async () => {
    const via = (to: string) => `http://public.example:${redirector.port}/go?to=${encodeURIComponent(to)}`;
    await refusedFor(via(`${target.origin}/`), /127\.0\.0\.1 \(loopback address\).*redirected from/);
    await refusedFor(via('http://169.254.169.254/latest/meta-data/'), /169\.254\.169\.254 \(link-local address\)/);
    assert.equal(target.connectionCount, 0);
    assert.ok(redirector.requests.length >= 4, 'the allowed first hop was reached');
  });
});
