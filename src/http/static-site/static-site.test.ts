import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { createTestApp, json, type TestApp } from '../../../test/support/test-app.ts';
import { cacheControlOf, isHashedAsset, safeSegments } from './static-files.ts';

const database = testDatabases()[0]!;
const indexHtml = '<!doctype html><html><body><div id="root"></div><script src="/assets/index-D8Zx_Ys9.js"></script></body></html>';
const secret = 'TOP-SECRET-OUTSIDE-THE-WEB-ROOT';
/** What a browser sends when it navigates to a page. */
const navigation = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** A raw request over a socket, so the path reaches the server exactly as written (no client-side normalising). */
function rawGet(baseUrl: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${baseUrl}/`, { method: 'GET', path: rawPath, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('static web app at / (web.root)', () => {
  let folder: string;
  let root: string;
  let harness: TestApp;
  let baseUrl: string;
  before(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'colloquy-web-'));
    root = path.join(folder, 'dist');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), indexHtml);
    writeFileSync(path.join(root, 'assets', 'index-D8Zx_Ys9.js'), 'console.log("app");');
    writeFileSync(path.join(root, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(path.join(root, 'robots.txt'), 'User-agent: *');
    writeFileSync(path.join(root, '.env'), `KEY=${secret}`);
    writeFileSync(path.join(folder, 'secret.txt'), secret);
    symlinkSync(path.join(folder, 'secret.txt'), path.join(root, 'leak.txt'));
    symlinkSync(folder, path.join(root, 'outside'));
    symlinkSync(path.join(root, 'robots.txt'), path.join(root, 'robots-link.txt'));
    symlinkSync(path.join(root, '.env'), path.join(root, 'env-link'));
    harness = await createTestApp(await database.open(), { env: { COLLOQUY_WEB_ROOT: root } });
    await harness.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(harness.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await harness.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = {}) => harness.app.inject({ method: 'GET', url, headers });

  it('serves index.html at / without credentials, revalidated every time, with validators', async () => {
    const response = await get('/', navigation);
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, indexHtml);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-cache');
    assert.equal(response.headers['content-length'], String(Buffer.byteLength(indexHtml)));
    assert.match(String(response.headers.etag), /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    assert.ok(!Number.isNaN(Date.parse(String(response.headers['last-modified']))));
    assert.equal((await get('/index.html')).body, indexHtml);

    const revalidated = await get('/', { 'if-none-match': String(response.headers.etag) });
    assert.equal(revalidated.statusCode, 304);
    assert.equal(revalidated.body, '');
    const since = await get('/', { 'if-modified-since': String(response.headers['last-modified']) });
    assert.equal(since.statusCode, 304);
    assert.equal((await get('/', { 'if-none-match': 'W/"other"' })).statusCode, 200);
  });

  it('caches hashed assets for a year and gives each file its content type; HEAD sends no body', async () => {
    const script = await get('/assets/index-D8Zx_Ys9.js');
    assert.equal(script.statusCode, 200);
    assert.equal(script.body, 'console.log("app");');
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(script.headers['x-content-type-options'], 'nosniff');
    const logo = await get('/assets/logo.svg');
    assert.equal(logo.headers['content-type'], 'image/svg+xml');
    assert.equal(logo.headers['cache-control'], 'no-cache', 'an unhashed name may change');
    assert.equal((await get('/robots.txt')).headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal((await get('/robots-link.txt')).body, 'User-agent: *', 'a symlink inside the root is fine');

    const head = await harness.app.inject({ method: 'HEAD', url: '/assets/index-D8Zx_Ys9.js' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String('console.log("app");'.length));
  });

  it('answers byte ranges and preconditions (from @fastify/static), and keeps dot-files reached through a link hidden', async () => {
    const part = await get('/assets/index-D8Zx_Ys9.js', { range: 'bytes=0-6' });
    assert.equal(part.statusCode, 206);
    assert.equal(part.body, 'console');
    assert.equal(part.headers['content-range'], `bytes 0-6/${'console.log("app");'.length}`);
    // @fastify/send answers 412; the error table has no such code, so it reaches the client as a 4xx envelope.
    const precondition = await get('/robots.txt', { 'if-match': '"not-the-etag"' });
    assert.ok(precondition.statusCode >= 400 && precondition.statusCode < 500, String(precondition.statusCode));
    assert.equal(json(precondition).success, false);
    const hidden = await get('/env-link');
    assert.equal(hidden.statusCode, 404);
    assert.ok(!hidden.body.includes(secret));
  });

  it("falls back to index.html for the app's own routes when the browser asks for a page, and only then", async () => {
    const page = await get('/login?redirect=%2Fhome%2Fagents', navigation);
    assert.equal(page.statusCode, 200);
    assert.equal(page.body, indexHtml);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal((await get('/home/agents', navigation)).body, indexHtml);

    const missingScript = await get('/assets/missing-Ab12Cd34.js', { accept: '*/*' });
    assert.equal(missingScript.statusCode, 404);
    assert.equal(json(missingScript).code, 'NOT_FOUND');
    assert.equal((await harness.app.inject({ method: 'POST', url: '/login', headers: navigation })).statusCode, 404);
  });

  it('never shadows the API: unknown API paths keep their JSON 404, and API routes still answer', async () => {
    for (const url of ['/api/xyz', '/api/agents/x/y', '/v1/nothing', '/ws/other', '/health/nothing', '/webapi/nothing', '/docs', '/API/xyz', '/%61pi/xyz']) {
      const response = await get(url, navigation);
      assert.equal(response.statusCode, 404, url);
      assert.match(String(response.headers['content-type']), /^application\/json/, url);
      assert.ok(!response.body.includes('<html'), url);
    }
    const envelope = json(await get('/api/xyz', navigation));
    assert.deepEqual([envelope.success, envelope.code, envelope.message], [false, 'NOT_FOUND', 'no route for GET /api/xyz']);
    assert.equal((await get('/health')).statusCode, 200);
    assert.equal((await get('/api/health')).statusCode, 200);
    assert.match((await get('/api/docs/', navigation)).body, /swagger/i);
    assert.equal((await get('/api/agents')).statusCode, 401, 'API routes still demand credentials');
  });

  it('cannot be walked out of: .., encoded .., separators, dot-files and symlinks leaving the root', async () => {
    const attempts = [
      '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/assets%2f..%2f..%2fsecret.txt', '/..%5csecret.txt', '/leak.txt', '/outside/secret.txt',
      '/outside/dist/index.html', '/.env', '/%2eenv', '/index.html%00.js', '/%E0%A4%A',
    ];
    for (const attempt of attempts) {
      for (const headers of [{}, navigation]) {
        const response = await rawGet(baseUrl, attempt, headers);
        assert.ok(!response.body.includes(secret), `${attempt} leaked the secret`);
        // A 200 may only be the app's own index.html: the fallback, or a link that resolves back inside the root.
        if (response.status === 200) assert.equal(response.body, indexHtml, `${attempt} served something else`);
        else assert.ok(response.status === 404 || response.status === 400, `${attempt}: ${response.status}`);
      }
    }
    for (const attempt of ['/leak.txt', '/outside/secret.txt', '/%2e%2e/secret.txt', '/.env']) {
      assert.equal((await rawGet(baseUrl, attempt)).status, 404, attempt);
    }
  });
});

describe('without web.root', () => {
  it('registers nothing: / is the JSON 404 it always was', async () => {
    const harness = await createTestApp(await database.open());
    try {
      const response = await harness.app.inject({ method: 'GET', url: '/', headers: navigation });
      assert.equal(response.statusCode, 404);
      assert.equal(json(response).code, 'NOT_FOUND');
    } finally {
      await harness.close();
    }
  });

  it('refuses to start with a web.root that is not a folder', async () => {
    await assert.rejects(
      createTestApp(await database.open(), { env: { COLLOQUY_WEB_ROOT: path.join(tmpdir(), 'colloquy-no-such-web-root') } }),
      /COLLOQUY_WEB_ROOT.*does not exist/,
    );
  });
});

describe('static file rules', () => {
  it('treats only content-hashed names under assets/ or static/ as immutable', () => {
    assert.ok(isHashedAsset('assets/index-D8Zx_Ys9.js'));
    assert.ok(isHashedAsset('assets/index-BxQcPQGf.css'), 'Vite hashes may be letters only, in both cases');
    assert.ok(isHashedAsset('static/js/main.8f2c1a3b.js'));
    assert.ok(isHashedAsset('assets/fonts/inter-a1b2c3d4e5.woff2'));
    assert.ok(!isHashedAsset('assets/my-component.js'));
    assert.ok(!isHashedAsset('assets/logo.svg'));
    assert.ok(!isHashedAsset('index-D8Zx_Ys9.js'), 'outside assets/ nothing is assumed');
    assert.equal(cacheControlOf('index.html'), 'no-cache');
  });

  it('decodes path segments and refuses the dangerous ones', () => {
    assert.deepEqual(safeSegments('/assets/%E4%B8%AD.js'), ['assets', '中.js']);
    assert.deepEqual(safeSegments('//a///b/'), ['a', 'b']);
    for (const bad of ['/..', '/%2e%2e', '/a/./b', '/a%2fb', '/a%5cb', '/a%00b', '/.git/config', '/%zz']) {
      assert.equal(safeSegments(bad), undefined, bad);
    }
  });
});
