import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { startLoopbackTestServer, type LoopbackTestServer } from '../../net/loopback-test-server.ts';
import { openDatabase } from '../../storage/database.ts';

const pluginSecret = 'plugin-api-key-0123456789abcdef';

function openApiDocument(origin: string) {
  return {
    openapi: '3.0.0',
    info: { title: 'Weather', version: '1' },
    servers: [{ url: `${origin}/v1` }],
    security: [{ weatherKey: [] }],
    components: { securitySchemes: { weatherKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
    paths: {
      '/weather/{city}': {
        get: {
          operationId: 'getWeather',
          parameters: [
            { name: 'city', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'units', in: 'query', schema: { type: 'string' } },
          ],
        },
      },
      '/notes': { post: { operationId: 'addNote', requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } } },
    },
  };
}

function manifest(openapi: unknown) {
  return {
    identifier: 'weather',
    api: [
      { name: 'getWeather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'addNote', description: 'Adds a note', parameters: { type: 'object', properties: {} } },
    ],
    openapi,
    settings: { type: 'object', required: ['weatherKey'], properties: { weatherKey: { type: 'string' } } },
  };
}

const memoryDatabase = () => openDatabase({ dialect: 'sqlite', path: ':memory:' });

describe('LobeChat plugin gateway', () => {
  let harness: TestApp;
  let pluginApi: LoopbackTestServer;
  let user: { id: string; token: string };
  const bodies: string[] = [];
  const gateway = async (payload: object, headers: Record<string, string> = {}) => {
    const response = await harness.app.inject({ method: 'POST', url: '/webapi/plugin/gateway', headers: { ...bearer(user.token), ...headers }, payload });
    bodies.push(response.body);
    return response;
  };

  before(async () => {
    pluginApi = await startLoopbackTestServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/openapi.json') {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify(openApiDocument(pluginApi.origin)));
        } else if (request.url?.startsWith('/v1/weather/Oslo')) {
          response.writeHead(500).end('upstream broke');
        } else {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ url: request.url, method: request.method, body: Buffer.concat(chunks).toString('utf8') }));
        }
      });
    });
    harness = await createTestApp(memoryDatabase(), { env: { COLLOQUY_OUTBOUND_ALLOW_HOSTS: '127.0.0.1' } });
    user = await signUp(harness.app);
  });
  after(async () => {
    await harness.close();
    await pluginApi.close();
  });

  it('stores settings sealed and shows them masked', async () => {
    const saved = await harness.app.inject({
      method: 'PUT', url: '/api/plugins/weather/settings', headers: bearer(user.token), payload: { settings: { weatherKey: pluginSecret, units: 3 } },
    });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.equal(json(saved).data.settings.units, 3);
    assert.notEqual(json(saved).data.settings.weatherKey, pluginSecret);
    const stored = await harness.dependencies.database.db.selectFrom('pluginSettings').selectAll().executeTakeFirstOrThrow();
    assert.ok(!stored.settingsCipher.includes(pluginSecret) && !stored.settingHints.includes(pluginSecret));
    const other = await signUp(harness.app);
    const hidden = await harness.app.inject({ method: 'GET', url: '/api/plugins/weather/settings', headers: bearer(other.token) });
    assert.equal(hidden.statusCode, 404);
    bodies.push(saved.body, hidden.body);
  });

  it("runs an inline manifest's OpenAPI operation with path, query and the key from the user's settings", async () => {
    const response = await gateway({
      identifier: 'weather', apiName: 'getWeather', arguments: JSON.stringify({ city: 'Paris', units: 'metric' }),
      manifest: manifest(openApiDocument(pluginApi.origin)),
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.deepEqual(JSON.parse(response.body), { url: '/v1/weather/Paris?units=metric', method: 'GET', body: '' });
    const seen = pluginApi.requests.at(-1)!;
    assert.equal(seen.headers['x-api-key'], pluginSecret);
    assert.equal(seen.headers.authorization, undefined, 'the Colloquy credential must not reach the plugin');
  });

  it('fetches the OpenAPI document by URL, sends _requestBody as JSON, and lets the settings header win', async () => {
    const response = await gateway(
      { identifier: 'weather', apiName: 'addNote', arguments: JSON.stringify({ _requestBody: { text: 'hi' } }), manifest: manifest(`${pluginApi.origin}/openapi.json`) },
      { 'x-lobe-plugin-settings': JSON.stringify({ weatherKey: 'from-header' }) },
    );
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(JSON.parse(response.body), { url: '/v1/notes', method: 'POST', body: '{"text":"hi"}' });
    assert.equal(pluginApi.requests.at(-1)!.headers['x-api-key'], 'from-header');
  });

  it('posts to a plain API url with the settings header', async () => {
    const response = await gateway({
      identifier: 'weather', apiName: 'echo', arguments: '{"q":1}',
      manifest: { identifier: 'weather', api: [{ name: 'echo', url: `${pluginApi.origin}/echo`, parameters: {} }] },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(JSON.parse(response.body), { url: '/echo', method: 'POST', body: '{"q":1}' });
    assert.deepEqual(JSON.parse(String(pluginApi.requests.at(-1)!.headers['x-lobe-plugin-settings'])), { weatherKey: pluginSecret, units: 3 });
  });

  it("answers LobeChat's error shapes", async () => {
    const unknown = await gateway({ identifier: 'weather', apiName: 'nope', manifest: manifest(openApiDocument(pluginApi.origin)) });
    assert.equal(unknown.statusCode, 404);
    assert.equal(json(unknown).errorType, 'PluginApiNotFound');
    const failing = await gateway({ identifier: 'weather', apiName: 'getWeather', arguments: '{"city":"Oslo"}', manifest: manifest(openApiDocument(pluginApi.origin)) });
    assert.deepEqual([failing.statusCode, json(failing).errorType, json(failing).body.status], [500, 'PluginServerError', 500]);
    const missing = await gateway({ identifier: 'weather', apiName: 'getWeather', arguments: '{}', manifest: manifest(openApiDocument(pluginApi.origin)) });
    assert.deepEqual([missing.statusCode, json(missing).errorType], [422, 'PluginApiParamsError']);
    const unsettled = await gateway({ identifier: 'other', apiName: 'getWeather', arguments: '{"city":"Rome"}', manifest: manifest(openApiDocument(pluginApi.origin)) });
    assert.deepEqual([unsettled.statusCode, json(unsettled).errorType], [422, 'PluginSettingsInvalid']);
    for (const body of bodies) assert.ok(!body.includes(pluginSecret), 'the plugin key leaked');
  });
});

describe('LobeChat plugin gateway without a loopback allow-list', () => {
  it('refuses a plugin API on loopback before connecting (SSRF)', async () => {
    const pluginApi = await startLoopbackTestServer();
    const harness = await createTestApp(memoryDatabase());
    try {
      const user = await signUp(harness.app);
      for (const openapi of [openApiDocument(pluginApi.origin), `${pluginApi.origin}/openapi.json`]) {
        const response = await harness.app.inject({
          method: 'POST', url: '/webapi/plugin/gateway',
          headers: { ...bearer(user.token), 'x-lobe-plugin-settings': JSON.stringify({ weatherKey: 'k' }) },
          payload: { identifier: 'weather', apiName: 'getWeather', arguments: '{"city":"Paris"}', manifest: manifest(openapi) },
        });
        assert.equal(response.statusCode, 403, response.body);
        assert.deepEqual([json(response).errorType, json(response).body.code], ['PluginGatewayError', 'OUTBOUND_BLOCKED']);
      }
      assert.equal(pluginApi.connectionCount, 0);
      const anonymous = await harness.app.inject({ method: 'POST', url: '/webapi/plugin/gateway', payload: { identifier: 'x', apiName: 'y' } });
      assert.equal(anonymous.statusCode, 401);
    } finally {
      await harness.close();
      await pluginApi.close();
    }
  });
});
