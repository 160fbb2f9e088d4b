import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGuardedHttpClient, type GuardedHttpClient } from '../../net/guarded-http-client.ts';
import { startLoopbackTestServer, type LoopbackTestServer } from '../../net/loopback-test-server.ts';
import { testSettings } from '../../net/test-settings.ts';
import { decodeDuckduckgoLink, parseDuckduckgoResults } from './search-engines.ts';
import { createWebTools, type WebToolSettings } from './web-tools.ts';

const context = { userId: 'u1', permissionLevel: 1, toolCallId: 'c1', signal: new AbortController().signal };

const uddg = (target: string) => `//duckduckgo.com/l/?uddg=${encodeURIComponent(target)}&rut=abc123`;

/** The shape of DuckDuckGo's HTML results page, as the html.duckduckgo.com endpoint serves it. */
const duckduckgoPage = `<!DOCTYPE html><html><body><div id="links" class="results">
  <div class="result results_links results_links_deep result--ad"><div class="links_main">
    <h2 class="result__title"><a rel="nofollow" class="result__a" href="${uddg('https://ads.example/buy')}">Buy now</a></h2>
    <a class="result__snippet" href="#">An advert</a></div></div>
  <div class="result results_links results_links_deep web-result"><div class="links_main links_deep result__body">
    <h2 class="result__title"><a rel="nofollow" class="result__a" href="${uddg('https://nodejs.org/en/about?x=1&y=2')}">About <b>Node.js</b></a></h2>
    <a class="result__snippet" href="${uddg('https://nodejs.org/en/about')}">Node.js is a   JavaScript runtime.</a></div></div>
  <div class="result results_links results_links_deep web-result"><div class="links_main links_deep result__body">
    <h2 class="result__title"><a rel="nofollow" class="result__a" href="https://direct.example/page">Direct link</a></h2>
    <a class="result__snippet">Plain snippet</a></div></div>
  <div class="result results_links results_links_deep web-result"><div class="links_main">
    <h2 class="result__title"><a class="result__a" href="${uddg('javascript:alert(1)')}">Bad</a></h2></div></div>
</div></body></html>`;

describe('DuckDuckGo result parsing', () => {
  it('decodes uddg redirect links and skips ads and non-web links', async () => {
    assert.equal(decodeDuckduckgoLink(uddg('https://a.example/x?q=1')), 'https://a.example/x?q=1');
    assert.equal(decodeDuckduckgoLink('https://duckduckgo.com/l/?rut=only'), undefined);
    assert.equal(decodeDuckduckgoLink(uddg('file:///etc/passwd')), undefined);
    assert.deepEqual(await parseDuckduckgoResults(duckduckgoPage), [
      { title: 'About Node.js', url: 'https://nodejs.org/en/about?x=1&y=2', snippet: 'Node.js is a JavaScript runtime.' },
      { title: 'Direct link', url: 'https://direct.example/page', snippet: 'Plain snippet' },
    ]);
  });
});

describe('web_search', () => {
  let searxng: LoopbackTestServer;
  let duckduckgo: LoopbackTestServer;
  let searxngFails = false;
  // No allow-list: the operator's search hosts are reachable although they are loopback here.
  let http: GuardedHttpClient;

  before(async () => {
    searxng = await startLoopbackTestServer((request, response) => {
      if (searxngFails) return void response.writeHead(502).end('bad gateway');
      const url = new URL(request.url ?? '/', 'http://x');
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({
        query: url.searchParams.get('q'),
        results: [
          { title: 'First', url: 'https://one.example/', content: 'one  snippet', engine: 'google' },
          { title: 'Second', url: 'https://two.example/', content: 'two' },
          { title: 'Not web', url: 'ftp://three.example/' },
          { title: 'Third', url: 'https://three.example/', content: 'three' },
        ],
      }));
    });
    duckduckgo = await startLoopbackTestServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(duckduckgoPage);
    });
    http = createGuardedHttpClient(testSettings());
  });
  after(async () => {
    await http.close();
    await searxng.close();
    await duckduckgo.close();
  });

  const settings = (overrides: Partial<WebToolSettings> = {}): WebToolSettings => ({
    duckduckgoUrl: `${duckduckgo.origin}/html/`,
    searchMaxResults: 10,
    fetchMaxBytes: 1024 * 1024,
    fetchTimeoutMs: 2000,
    fetchMaxUrls: 3,
    fetchMaxChars: 10_000,
    ...overrides,
  });
  const search = async (toolSettings: WebToolSettings, input: unknown) => {
    const webSearch = createWebTools(http, toolSettings, { warn: () => undefined }).tools.find((tool) => tool.name === 'web_search')!;
    return JSON.parse((await webSearch.execute(input, context)).output);
  };

  it('asks SearXNG for JSON and returns {title, url, snippet}', async () => {
    const answer = await search(settings({ searxngUrl: `${searxng.origin}/searx` }), { query: 'node runtime', max_results: 2 });
    assert.equal(answer.engine, 'searxng');
    assert.deepEqual(answer.results, [
      { title: 'First', url: 'https://one.example/', snippet: 'one snippet' },
      { title: 'Second', url: 'https://two.example/', snippet: 'two' },
    ]);
    const asked = new URL(searxng.requests.at(-1)!.url, 'http://x');
    assert.equal(asked.pathname, '/searx/search');
    assert.equal(asked.searchParams.get('q'), 'node runtime');
    assert.equal(asked.searchParams.get('format'), 'json');
  });

  it('falls back to DuckDuckGo when SearXNG fails, and uses it when none is configured', async () => {
    searxngFails = true;
    try {
      const warnings: unknown[] = [];
      const webSearch = createWebTools(http, settings({ searxngUrl: searxng.origin }), { warn: (details) => warnings.push(details) })
        .tools.find((tool) => tool.name === 'web_search')!;
      const answer = JSON.parse((await webSearch.execute({ query: 'node' }, context)).output);
      assert.equal(answer.engine, 'duckduckgo');
      assert.equal(answer.results[0].url, 'https://nodejs.org/en/about?x=1&y=2');
      assert.equal(warnings.length, 1);
    } finally {
      searxngFails = false;
    }
    const before = duckduckgo.requests.length;
    const answer = await search(settings(), { query: 'what is node?' });
    assert.equal(answer.engine, 'duckduckgo');
    assert.equal(answer.results.length, 2);
    const asked = new URL(duckduckgo.requests[before]!.url, 'http://x');
    assert.deepEqual([asked.pathname, asked.searchParams.get('q')], ['/html/', 'what is node?']);
  });

  it('refuses an empty query', async () => {
    await assert.rejects(search(settings(), { query: '  ' }), /invalid input for web_search/);
  });
});
