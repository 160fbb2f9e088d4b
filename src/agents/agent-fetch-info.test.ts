import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fakeDifyParameters, fakeFastGptAppId, startFakePlatforms, type FakePlatforms } from '../../test/support/fake-platforms/fake-platforms.ts';
import { startFakeUpstream, type FakeUpstream } from '../../test/support/fake-upstream/index.ts';
import { AppError } from '../errors/app-error.ts';
import { fetchFor, type ProviderConnection } from '../providers/provider-connection.ts';
import { createTestOutboundHttp } from '../providers/test-support/test-outbound-http.ts';
import { fetchRemoteAgentInfo } from './agent-fetch-info.ts';
import { platformOf } from './agent-platform.ts';

const key = 'app-remote-secret-key-0123456789';

/** The guarded fetch a user's provider would get, with loopback allowed as the tests' operator allows it. */
function guardedFetch(baseUrl: string, apiKey: string | undefined) {
  const http = createTestOutboundHttp({ allowHosts: ['127.0.0.1'] });
  const connection = { isSystem: false, baseUrl, apiKey } as ProviderConnection;
  return fetchFor(http, connection);
}

async function info(provider: string, endpoint: string, options: { apiKey?: string; appId?: string } = {}) {
  const platform = platformOf(provider, endpoint);
  return fetchRemoteAgentInfo(guardedFetch(platform.baseUrl, options.apiKey), { ...platform, apiKey: options.apiKey, appId: options.appId });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof AppError, String(error));
  return error;
}

describe('agent platforms', () => {
  it('reads the endpoint as an API root, with a pasted chat path removed', () => {
    assert.equal(platformOf('fastgpt', 'https://fastgpt.example/api/v1/chat/completions/').baseUrl, 'https://fastgpt.example/api/v1');
    assert.equal(platformOf('dify', 'https://api.dify.ai/v1/chat-messages').baseUrl, 'https://api.dify.ai/v1');
    assert.equal(platformOf('dify', 'https://api.dify.ai/v1').baseUrl, 'https://api.dify.ai/v1');
    assert.equal(platformOf('openai', 'https://api.openai.com/v1/chat/completions').baseUrl, 'https://api.openai.com/v1');
    assert.equal(platformOf('custom', 'http://llm.lan:8000/v1').info.type, 'openai-compatible');
    assert.equal(platformOf('anthropic', 'https://api.anthropic.com/v1/messages').baseUrl, 'https://api.anthropic.com/v1');
    assert.equal(platformOf('DeepSeek', 'https://api.deepseek.com/v1').info.type, 'deepseek');
  });

  it('refuses unknown platforms and unusable endpoints with the field to fix', () => {
    assert.throws(() => platformOf('coze', 'https://api.coze.com'), /provider "coze" is not a platform an agent can call; use fastgpt, dify/);
    assert.throws(() => platformOf('dify', 'not a url'), /endpoint "not a url" is not a valid URL/);
    assert.throws(() => platformOf('dify', 'ftp://files.example/v1'), /endpoint must be an http or https URL/);
    assert.throws(() => platformOf('dify', 'https://user:pw@api.dify.ai/v1'), /endpoint must not contain credentials/);
    assert.throws(() => platformOf('dify', 'https://api.dify.ai/v1?key=abc'), /endpoint must not contain a query string/);
  });
});

describe('fetching a remote agent’s info', () => {
  let platforms: FakePlatforms;
  let upstream: FakeUpstream;
  let silent: Server;
  let silentUrl: string;
  before(async () => {
    platforms = await startFakePlatforms({ apiKey: key });
    upstream = await startFakeUpstream();
    // Answers every request with a page that is not JSON.
    silent = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  after(async () => {
    await platforms.close();
    await upstream.close();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("reads a Dify app's name, inputs, opening statement and file upload from /info and /parameters", async () => {
    const result = await info('dify', `${platforms.difyBaseUrl}/chat-messages`, { apiKey: key });
    assert.equal(result.provider, 'dify');
    assert.equal(result.endpoint, platforms.difyBaseUrl);
    assert.equal(result.name, 'Fake Dify app');
    assert.equal(result.description, null);
    assert.equal(result.model, 'dify-app');
    assert.equal(result.welcomeText, fakeDifyParameters.opening_statement);
    assert.deepEqual(result.variables, fakeDifyParameters.user_input_form);
    assert.deepEqual(result.capabilities, ['chat', 'file_upload', 'knowledge_retrieval']);
    assert.equal(result.features.supportsImages, true);
    assert.equal(result.temperature, null, 'Dify does not say; nothing is guessed');
    const paths = platforms.requests.map((request) => [request.method, request.path, request.headers.authorization]);
    assert.deepEqual(paths.slice(-2), [['GET', '/v1/info', `Bearer ${key}`], ['GET', '/v1/parameters', `Bearer ${key}`]]);
  });

  it("reads a FastGPT app's name, intro, chat models and variables from its chat init, with the appId", async () => {
    const result = await info('fastgpt', `${platforms.fastgptBaseUrl}/v1/chat/completions`, { apiKey: key, appId: fakeFastGptAppId });
    assert.equal(result.name, 'Fake FastGPT app');
    assert.equal(result.description, 'Answers questions about the fake knowledge base');
    assert.equal(result.model, 'gpt-4o-mini');
    assert.deepEqual(result.models, ['gpt-4o-mini']);
    assert.equal(result.welcomeText, 'Welcome to the fake FastGPT app');
    assert.deepEqual(result.capabilities, ['chat', 'file_upload']);
    assert.equal(result.mode, 'advanced');
    const last = platforms.requests.at(-1)!;
    assert.equal(last.path, '/api/core/chat/init');
    assert.equal(last.headers.authorization, `Bearer ${key}`);

    const noAppId = await failure(info('fastgpt', platforms.fastgptBaseUrl, { apiKey: key }));
    assert.equal(noAppId.code, 'VALIDATION_ERROR');
    assert.match(noAppId.message, /appId is required for FastGPT/);
    const otherApp = await failure(info('fastgpt', platforms.fastgptBaseUrl, { apiKey: key, appId: 'aaaaaaaaaaaaaaaaaaaaaaaa' }));
    assert.equal(otherApp.code, 'VALIDATION_ERROR');
    assert.match(otherApp.message, /HTTP 403.*check the apiKey and the appId/);
  });

  it('answers 400 for a refused key and never repeats the key', async () => {
    const wrongKey = 'app-wrong-key-that-must-not-be-echoed';
    const refused = await failure(info('dify', platforms.difyBaseUrl, { apiKey: wrongKey }));
    assert.equal(refused.code, 'VALIDATION_ERROR');
    assert.match(refused.message, /Dify refused the apiKey \(HTTP 401: Access token is invalid\); check the key/);
    assert.ok(!refused.message.includes(wrongKey));

    upstream.modelListError = { type: 'http-error', status: 401, message: `Incorrect API key provided: ${wrongKey}` };
    try {
      const openai = await failure(info('openai', `${upstream.openaiBaseUrl}/chat/completions`, { apiKey: wrongKey }));
      assert.equal(openai.code, 'VALIDATION_ERROR');
      assert.match(openai.message, /refused the apiKey \(HTTP 401/);
      assert.ok(!openai.message.includes(wrongKey), openai.message);
    } finally {
      upstream.modelListError = undefined;
    }
  });

  it('lists an OpenAI-compatible server’s models; a failing remote is 502, a wrong path 400', async () => {
    const result = await info('custom', `${upstream.openaiBaseUrl}/chat/completions`, { apiKey: key });
    assert.equal(result.provider, 'openai-compatible');
    assert.deepEqual(result.models, ['fake-model']);
    assert.equal(result.model, null);
    assert.equal(upstream.requests.at(-1)!.headers.authorization, `Bearer ${key}`);

    upstream.modelListError = { type: 'http-error', status: 503, message: 'overloaded' };
    try {
      assert.equal((await failure(info('openai', upstream.openaiBaseUrl, { apiKey: key }))).code, 'PROVIDER_ERROR');
    } finally {
      upstream.modelListError = undefined;
    }
    const wrongPath = await failure(info('dify', `${upstream.url}/nothing-here`, { apiKey: key }));
    assert.equal(wrongPath.code, 'VALIDATION_ERROR');
    assert.match(wrongPath.message, /answered 404.*check the endpoint/);
    const notJson = await failure(info('dify', `${silentUrl}/v1`, { apiKey: key }));
    assert.equal(notJson.code, 'PROVIDER_ERROR');
    assert.match(notJson.message, /not JSON/);
    const unreachable = await failure(info('dify', 'http://127.0.0.1:9/v1', { apiKey: key }));
    assert.equal(unreachable.code, 'PROVIDER_ERROR');
    assert.match(unreachable.message, /could not reach Dify/);
  });

  it('is refused before connecting when the host is not allowed', async () => {
    const platform = platformOf('dify', 'http://10.0.0.1/v1');
    const blocked = await failure(fetchRemoteAgentInfo(guardedFetch(platform.baseUrl, key), { ...platform, apiKey: key, appId: undefined }));
    assert.equal(blocked.code, 'OUTBOUND_BLOCKED');
  });
});
