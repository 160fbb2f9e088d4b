import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { answer, httpError, startFakeUpstream, text, type FakeUpstream } from './index.ts';

async function getJson(fake: FakeUpstream, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${fake.url}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

async function pull(fake: FakeUpstream, body: unknown): Promise<{ status: number; contentType: string | null; lines: unknown[] }> {
  const response = await fetch(`${fake.url}/api/pull`, { method: 'POST', body: JSON.stringify(body) });
  const lines = (await response.text()).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
  return { status: response.status, contentType: response.headers.get('content-type'), lines };
}

describe('fake upstream model lists and Ollama pulls', () => {
  let fake: FakeUpstream;
  beforeEach(async () => {
    fake = await startFakeUpstream();
    fake.models = ['m1', 'm2'];
  });
  afterEach(() => fake.close());

  it("answers GET /v1/models in OpenAI's shape, or Anthropic's when the request carries anthropic-version", async () => {
    const openai = await getJson(fake, '/v1/models');
    assert.deepEqual(openai.body, {
      object: 'list',
      data: [
        { id: 'm1', object: 'model', created: 1_700_000_000, owned_by: 'fake-upstream' },
        { id: 'm2', object: 'model', created: 1_700_000_000, owned_by: 'fake-upstream' },
      ],
    });
    const anthropic = await getJson(fake, '/v1/models', { 'anthropic-version': '2023-06-01' });
    assert.deepEqual(anthropic.body, {
      data: [
        { id: 'm1', type: 'model', display_name: 'm1', created_at: '2025-01-01T00:00:00Z' },
        { id: 'm2', type: 'model', display_name: 'm2', created_at: '2025-01-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'm1',
      last_id: 'm2',
    });
    assert.deepEqual(fake.requests.map((request) => [request.format, request.kind]), [
      ['openai', 'models'],
      ['anthropic', 'models'],
    ]);
  });

  it("answers Google's and Ollama's lists without taking scripted replies", async () => {
    fake.script(answer([text('still queued')]));
    const google = (await getJson(fake, '/v1beta/models')).body as { models: Array<{ name: string; displayName: string; supportedGenerationMethods: string[] }> };
    assert.deepEqual(google.models.map((model) => [model.name, model.displayName]), [
      ['models/m1', 'm1'],
      ['models/m2', 'm2'],
    ]);
    assert.ok(google.models.every((model) => model.supportedGenerationMethods.includes('generateContent')));
    const tags = (await getJson(fake, '/api/tags')).body as { models: Array<{ name: string; model: string; digest: string; size: number }> };
    assert.deepEqual(tags.models.map((model) => [model.name, model.model]), [
      ['m1', 'm1'],
      ['m2', 'm2'],
    ]);
    assert.match(tags.models[0]?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(fake.pendingReplies, 1);
    assert.deepEqual(fake.requests.map((request) => request.format), ['google', 'ollama']);
  });

  it('answers a scripted model-list error in each format', async () => {
    fake.modelListError = httpError(401, { message: 'bad key' });
    assert.deepEqual(await getJson(fake, '/v1/models'), {
      status: 401,
      body: { error: { message: 'bad key', type: 'invalid_request_error', code: 'invalid_api_key', param: null } },
    });
    assert.deepEqual(await getJson(fake, '/v1/models', { 'anthropic-version': '2023-06-01' }), {
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'bad key' } },
    });
    assert.deepEqual(await getJson(fake, '/v1beta/models'), { status: 401, body: { error: { code: 401, message: 'bad key', status: 'UNAUTHENTICATED' } } });
    assert.deepEqual(await getJson(fake, '/api/tags'), { status: 401, body: { error: 'bad key' } });
  });

  it('streams pull progress as NDJSON ending in success, then lists the model', async () => {
    const result = await pull(fake, { model: 'llama3.2:1b' });
    assert.equal(result.status, 200);
    assert.equal(result.contentType, 'application/x-ndjson');
    assert.deepEqual(result.lines[0], { status: 'pulling manifest' });
    assert.deepEqual(result.lines.at(-1), { status: 'success' });
    const downloads = result.lines.filter((line): line is { status: string; digest: string; total: number; completed: number } =>
      String((line as { status?: unknown }).status).startsWith('downloading'),
    );
    assert.ok(downloads.length >= 2);
    assert.equal(downloads.at(-1)?.completed, downloads.at(-1)?.total);
    assert.ok(fake.models.includes('llama3.2:1b'));
    assert.deepEqual([fake.requests[0]?.format, fake.requests[0]?.kind, fake.requests[0]?.model], ['ollama', 'pull', 'llama3.2:1b']);
  });

  it('fails a pull as scripted: an error line in the stream, or HTTP 500 without one', async () => {
    fake.pull = { error: 'pull model manifest: file does not exist' };
    const streamed = await pull(fake, { model: 'missing' });
    assert.equal(streamed.status, 200);
    assert.deepEqual(streamed.lines, [{ status: 'pulling manifest' }, { error: 'pull model manifest: file does not exist' }]);
    const whole = await pull(fake, { model: 'missing', stream: false });
    assert.equal(whole.status, 500);
    assert.deepEqual(whole.lines, [{ error: 'pull model manifest: file does not exist' }]);
    assert.ok(!fake.models.includes('missing'));
  });
});
