import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../storage/database.ts';
import { createTestApp, json, type TestApp } from '../../test/support/test-app.ts';

const require = createRequire(import.meta.url);
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Every `src="…"`/`href="…"` of a page, and every `url(...)`. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)/g)].map((match) => (match[1] ?? match[2])!);
}

/** Absolute (`https://…`) or protocol-relative (`//host/…`) references reach another site. */
const isOffSite = (reference: string) => /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(reference) && !reference.startsWith('data:');

describe('API docs work offline', () => {
  let harness: TestApp;
  before(async () => {
    harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }));
  });
  after(() => harness.close());

  it('the ReDoc page loads ReDoc from this server, not a CDN', async () => {
    const page = await harness.app.inject({ method: 'GET', url: '/api/redoc' });
    assert.equal(page.statusCode, 200);
    const scripts = [...page.body.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]!);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]!, /^\/api\/redoc\/redoc\.standalone\.js\?v=[\w-]+$/);
    assert.deepEqual(references(page.body).filter(isOffSite), []);
  });

  it('serves the installed ReDoc bundle as JavaScript, cacheable for good, with an ETag and 304 on a match', async () => {
    const page = await harness.app.inject({ method: 'GET', url: '/api/redoc' });
    const scriptUrl = /<script[^>]*\bsrc="([^"]+)"/.exec(page.body)![1]!;
    const script = await harness.app.inject({ method: 'GET', url: scriptUrl });
    assert.equal(script.statusCode, 200);
    assert.match(script.headers['content-type'] as string, /^text\/javascript/);
    assert.match(script.headers['cache-control'] as string, /max-age=31536000/);
    assert.match(script.headers['cache-control'] as string, /immutable/);
    const etag = script.headers.etag as string;
    assert.match(etag, /^"[\w-]+"$/);
    assert.ok(script.rawPayload.equals(readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'))), 'the bytes are the npm package’s');
    const revalidated = await harness.app.inject({ method: 'GET', url: scriptUrl, headers: { 'if-none-match': etag } });
    assert.equal(revalidated.statusCode, 304);
    assert.equal(revalidated.body, '');
    const head = await harness.app.inject({ method: 'HEAD', url: scriptUrl });
    assert.equal(head.statusCode, 200);
    assert.match(head.headers['content-type'] as string, /^text\/javascript/);
  });

  it('nothing Swagger UI loads points off-site either (page, its scripts and styles, no validator badge)', async () => {
    const page = await harness.app.inject({ method: 'GET', url: '/api/docs/' });
    assert.equal(page.statusCode, 200);
    const local = references(page.body);
    assert.ok(local.length >= 4, 'found the page’s scripts and styles');
    assert.deepEqual(local.filter(isOffSite), []);
    for (const reference of local) {
      const asset = await harness.app.inject({ method: 'GET', url: new URL(reference, 'http://server/api/docs/').pathname });
      assert.equal(asset.statusCode, 200, `${reference} is served here`);
    }
    const initializer = await harness.app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
    assert.equal(initializer.statusCode, 200);
    assert.match(initializer.body, /validatorUrl: null/);
    assert.deepEqual(references(initializer.body).filter(isOffSite), []);
  });

  it('the OpenAPI document and the service info carry package.json’s version', async () => {
    const document = json(await harness.app.inject({ method: 'GET', url: '/api/openapi.json' }));
    assert.equal(document.info.version, packageVersion);
    const info = json(await harness.app.inject({ method: 'GET', url: '/api' }));
    assert.equal(info.version ?? info.data?.version, packageVersion);
  });
});
