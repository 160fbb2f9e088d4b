import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdmin } from '../cli/ensure-admin.ts';
import { uploadBodyLimit } from './attachments/attachment-routes.ts';
import { testDatabases } from '../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../test/support/test-app.ts';

type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, unknown>> };

/**
 * The documented operations with one of `methods`, path parameters filled by a syntactically
 * valid unknown id. It asserts it found many: a loop over an empty document passes vacuously.
 * (The app documents about 66 write and 55 read operations.)
 */
function operations(document: OpenApiDocument, methods: string[]) {
  const list: { method: string; url: string; template: string }[] = [];
  for (const [template, documented] of Object.entries(document.paths)) {
    const url = template.replace(/\{[^}]+\}/g, '0190a5c4-0000-7000-8000-000000000000');
    for (const method of Object.keys(documented)) {
      if (methods.includes(method.toUpperCase())) list.push({ method: method.toUpperCase(), url, template });
    }
  }
  const minimum = methods.includes('GET') ? 30 : 40;
  assert.ok(list.length >= minimum, `only ${list.length} ${methods.join('/')} operations documented; expected at least ${minimum}`);
  return list;
}
const writeMethods = ['POST', 'PUT', 'PATCH'];

for (const database of testDatabases()) {
  describe(`HTTP conventions (${database.name})`, () => {
    let harness: TestApp;
    let token: string;
    let document: OpenApiDocument;
    before(async () => {
      harness = await createTestApp(await database.open());
      token = (await signUp(harness.app)).token;
      document = json(await harness.app.inject({ method: 'GET', url: '/api/openapi.json' }));
    });
    after(() => harness.close());

    it('serves an OpenAPI 3.1 document covering the routes', () => {
      assert.equal(document.openapi, '3.1.0');
      for (const path of ['/api/auth/login', '/api/auth/register', '/api/auth/refresh', '/api/auth/me', '/api/health', '/health/detailed']) {
        assert.ok(document.paths[path], `${path} is documented`);
      }
    });

    it('serves Swagger UI and ReDoc', async () => {
      const docs = await harness.app.inject({ method: 'GET', url: '/api/docs/' });
      assert.equal(docs.statusCode, 200);
      assert.match(docs.headers['content-type'] as string, /text\/html/);
      assert.match(docs.body, /swagger/i);
      const redoc = await harness.app.inject({ method: 'GET', url: '/api/redoc' });
      assert.equal(redoc.statusCode, 200);
      assert.match(redoc.body, /<redoc spec-url="\/api\/openapi.json">/);
    });

    it('answers malformed JSON on every documented write route with 4xx, never 5xx', async () => {
      for (const operation of operations(document, writeMethods)) {
        const response = await harness.app.inject({
          method: operation.method as 'POST',
          url: operation.url,
          headers: { ...bearer(token), 'content-type': 'application/json' },
          payload: '{"unterminated": ',
        });
        assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${operation.method} ${operation.template}: ${response.statusCode}`);
        assert.equal(json(response).success ?? false, false);
      }
    });

    it('answers wrongly typed JSON fields with 4xx on every write route', async () => {
      // Some bodies here are valid for logout, which would end the shared session: use a fresh one.
      const token = (await signUp(harness.app)).token;
      for (const operation of operations(document, writeMethods)) {
        for (const payload of [[1, 2, 3], { password: 12, username: ['x'], title: { nested: true }, content: 5 }, 'just a string']) {
          const response = await harness.app.inject({ method: operation.method as 'POST', url: operation.url, headers: bearer(token), payload: payload as object });
          assert.ok(response.statusCode < 500, `${operation.method} ${operation.template} with ${JSON.stringify(payload)}: ${response.statusCode} ${response.body}`);
        }
      }
    });

    it('answers oversized bodies on every write route with 413', async () => {
      // An admin, so admin-only routes reach the body too (a non-admin is refused first, with 403).
      await createAdmin(harness.dependencies, { username: 'oversize-admin', password: 'admin passphrase' });
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'oversize-admin', password: 'admin passphrase' } });
      const token = json(login).data.token as string;
      const oversized = JSON.stringify({ content: 'x'.repeat(harness.config.server.bodyLimit + 10) });
      // The one route with its own, larger limit: a whole file as base64.
      const uploadLimit = uploadBodyLimit(harness.config.files.maxFileBytes, harness.config.server.bodyLimit);
      const oversizedUpload = JSON.stringify({ data: 'x'.repeat(uploadLimit + 10) });
      for (const operation of operations(document, writeMethods)) {
        const response = await harness.app.inject({
          method: operation.method as 'POST',
          url: operation.url,
          headers: { ...bearer(token), 'content-type': 'application/json' },
          payload: operation.template === '/api/chat/attachments' ? oversizedUpload : oversized,
        });
        assert.equal(response.statusCode, 413, `${operation.method} ${operation.template}`);
        // OpenAI's shape spells codes in lower case; Anthropic's has only an error type.
        const body = json(response);
        const code = body.code ?? body.error?.code ?? (body.error?.type === 'invalid_request_error' ? 'PAYLOAD_TOO_LARGE' : undefined);
        assert.equal(String(code).toUpperCase(), 'PAYLOAD_TOO_LARGE', `${operation.method} ${operation.template}: ${response.body}`);
      }
    });

    it('never answers 5xx to odd query strings on read routes', async () => {
      for (const operation of operations(document, ['GET'])) {
        const response = await harness.app.inject({
          method: 'GET',
          url: `${operation.url}?page=-3&limit=abc&skip=x&page_size=1e9&before=%00&active_only=perhaps`,
          headers: bearer(token),
        });
        assert.ok(response.statusCode < 500, `GET ${operation.template}: ${response.statusCode} ${response.body}`);
      }
    });

    it('refuses unauthenticated calls to protected routes before reading the body', async () => {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/change-password',
        headers: { 'content-type': 'application/json' },
        payload: '{ broken',
      });
      assert.equal(response.statusCode, 401);
      assert.equal(json(response).code, 'UNAUTHORIZED');
    });

    it('takes an empty body labelled JSON as no body: a DELETE passes, a POST that needs one is a 400', async () => {
      const user = await signUp(harness.app);
      const jsonHeaders = { ...bearer(user.token), 'content-type': 'application/json' };
      const created = await harness.app.inject({ method: 'POST', url: '/api/conversations', headers: bearer(user.token), payload: { title: 'x' } });
      const id = JSON.parse(created.body).data.id;
      const removed = await harness.app.inject({ method: 'DELETE', url: `/api/conversations/${id}`, headers: jsonHeaders, payload: '' });
      assert.equal(removed.statusCode, 200, removed.body);
      const empty = await harness.app.inject({ method: 'POST', url: '/api/conversations/x/messages', headers: jsonHeaders, payload: '' });
      assert.ok(empty.statusCode >= 400 && empty.statusCode < 500, empty.body);
      const poisoned = await harness.app.inject({ method: 'POST', url: '/api/conversations', headers: jsonHeaders, payload: '{"__proto__":{"x":1},"title":"p"}' });
      assert.equal(poisoned.statusCode, 400);
    });

    it('answers unknown routes with 404 in the surface’s own format', async () => {
      const api = await harness.app.inject({ method: 'GET', url: '/api/nothing-here' });
      assert.equal(api.statusCode, 404);
      assert.equal(json(api).code, 'NOT_FOUND');
      assert.equal(json(api).success, false);
      const openai = await harness.app.inject({ method: 'GET', url: '/v1/nothing-here' });
      assert.equal(openai.statusCode, 404);
      assert.equal(json(openai).error.type, 'not_found_error');
    });

    it('echoes a valid request id and makes one otherwise', async () => {
      const given = await harness.app.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'trace-123' } });
      assert.equal(given.headers['x-request-id'], 'trace-123');
      const invalid = await harness.app.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'bad id with spaces' } });
      assert.match(invalid.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
      const error = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-request-id': 'trace-456' } });
      assert.equal(json(error).requestId, 'trace-456');
    });

    it('reports health in each seed’s shape', async () => {
      const luxx = json(await harness.app.inject({ method: 'GET', url: '/api/health' }));
      assert.deepEqual({ status: luxx.status, healthy: luxx.healthy }, { status: 'ok', healthy: true });
      const llmchat = json(await harness.app.inject({ method: 'GET', url: '/health' }));
      assert.equal(llmchat.status, 'healthy');
      assert.equal(llmchat.services.database, 'connected');
      const detailed = json(await harness.app.inject({ method: 'GET', url: '/health/detailed' }));
      assert.equal(detailed.checks.database.status, 'healthy');
      assert.equal(detailed.checks.database.dialect, database.name);
      assert.equal(typeof detailed.checks.database.responseTime, 'number');
      const info = json(await harness.app.inject({ method: 'GET', url: '/api/' }));
      assert.equal(info.name, 'Colloquy');
    });

    it('sends no CORS headers unless origins are configured', async () => {
      const response = await harness.app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'https://elsewhere.example' } });
      assert.equal(response.headers['access-control-allow-origin'], undefined);
    });
  });
}

describe('CORS configured to *', () => {
  let harness: TestApp;
  before(async () => {
    const { openDatabase } = await import('../storage/database.ts');
    harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), { env: { COLLOQUY_CORS_ORIGINS: '*' } });
  });
  after(() => harness.close());

  it('answers preflights and marks responses', async () => {
    const preflight = await harness.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login',
      headers: { origin: 'https://chat.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    const response = await harness.app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'https://chat.example' } });
    assert.equal(response.headers['access-control-allow-origin'], '*');
  });
});
