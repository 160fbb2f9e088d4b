import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSse, startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import OpenAI from 'openai';
import { answer, disconnect, garbageLine, httpError, invalidJson, streamError, text } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json } from '../../../test/support/test-app.ts';
import { openDatabase } from '../../storage/database.ts';

const usage = { promptTokens: 12, completionTokens: 5 };

/** OpenAI requests to an OpenAI-format upstream without a session are relayed byte for byte. */
describe('the OpenAI pass-through relay', () => {
  let harness: ChatHarness;
  before(async () => {
    harness = await startChatHarness(openDatabase({ dialect: 'sqlite', path: ':memory:' }));
  });
  after(() => harness.close());

  const ledger = () => harness.dependencies.repositories.usage.listForUser(harness.user.id, { limit: 50 });
  const stream = (body: Record<string, unknown>) =>
    openSse(`${harness.baseUrl}/v1/chat/completions`, {
      headers: bearer(harness.user.token),
      body: { model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'Hi' }], ...body },
    });

  it('streams lines a strict parser accepts: LF only, non-empty choices, [DONE], then the connection ends', async () => {
    harness.fake.script(answer([text('One'), text(' two')], { usage }));
    const before = (await ledger()).length;
    const connection = await stream({});
    const frames = await connection.ended;
    const body = connection.body();
    assert.equal(connection.status, 200);
    assert.match(String(connection.headers['content-type']), /^text\/event-stream/);
    assert.ok(!body.includes('\r'), 'no CR in the stream');
    for (const frame of frames.filter((frame) => frame.data !== '[DONE]')) {
      assert.ok(Array.isArray(frame.data.choices) && frame.data.choices.length > 0, `a data line without choices: ${JSON.stringify(frame.data)}`);
    }
    assert.equal(frames.map((frame) => frame.data?.choices?.[0]?.delta?.content ?? '').join(''), 'One two');
    assert.ok(body.endsWith('data: [DONE]\n\n'));
    // We asked the upstream for usage to meter the call, and kept the chunk from a client that did not ask.
    assert.equal((harness.fake.chatRequests.at(-1)!.body as any).stream_options.include_usage, true);
    const rows = await ledger();
    assert.equal(rows.length, before + 1);
    assert.deepEqual([rows[0]!.promptTokens, rows[0]!.completionTokens, rows[0]!.usageEstimated, rows[0]!.status], [12, 5, false, 'success']);
  });

  it('keeps a session stream (a durable turn, not relayed) just as strict', async () => {
    harness.fake.script(answer([text('Kept'), text(' too')], { usage }));
    const connection = await stream({ session_id: 'strict-parser-session' });
    const frames = await connection.ended;
    const body = connection.body();
    assert.ok(!body.includes('\r'));
    const data = frames.filter((frame) => frame.data !== '[DONE]');
    assert.ok(data.length > 0 && data.every((frame) => frame.data.choices.length > 0));
    assert.equal(data.map((frame) => frame.data.choices[0].delta.content ?? '').join(''), 'Kept too');
    assert.ok(body.endsWith('data: [DONE]\n\n'));
  });

  it('passes the usage chunk on to a client that asked for it', async () => {
    harness.fake.script(answer([text('Hi')], { usage }));
    const frames = await (await stream({ stream_options: { include_usage: true } })).ended;
    const usageFrame = frames.find((frame) => frame.data?.usage);
    assert.equal(usageFrame?.data.usage.total_tokens, 17);
  });

  it('sends a non-streamed body as the upstream wrote it, sending the upstream model id and no session fields', async () => {
    harness.fake.script(answer([text('Hello.')], { usage }));
    const response = await harness.app.inject({
      method: 'POST', url: '/v1/chat/completions', headers: bearer(harness.user.token),
      payload: { model: `${harness.providerId}/fake-model`, messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, unknown_field: 1 },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(json(response).choices[0].message.content, 'Hello.');
    const sent = harness.fake.chatRequests.at(-1)!.body as any;
    assert.equal(sent.model, 'fake-model');
    assert.equal(sent.temperature, 0.2);
    assert.equal(sent.unknown_field, undefined);
  });

  it('retries a 503 before the first byte and records both attempts', async () => {
    harness.fake.script(httpError(503), answer([text('Recovered.')], { usage }));
    const before = (await ledger()).length;
    const response = await harness.app.inject({
      method: 'POST', url: '/v1/chat/completions', headers: bearer(harness.user.token),
      payload: { model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(json(response).choices[0].message.content, 'Recovered.');
    const rows = (await ledger()).slice(0, (await ledger()).length - before);
    assert.deepEqual(rows.map((row) => row.status).sort(), ['error', 'success']);
  });

  it("answers an upstream 400 as the client's 400, in OpenAI's error shape, with the upstream's words", async () => {
    harness.fake.script(httpError(400, { message: 'max_tokens is too large for this model' }));
    const response = await harness.app.inject({
      method: 'POST', url: '/v1/chat/completions', headers: bearer(harness.user.token),
      payload: { model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 999999 },
    });
    assert.equal(response.statusCode, 400);
    assert.match(json(response).error.message, /max_tokens is too large/);
  });

  it('ends a stream cut mid-way with an error chunk and [DONE]', async () => {
    harness.fake.script(answer([text('Half'), disconnect()], { usage }));
    const connection = await stream({});
    const frames = await connection.ended;
    assert.equal(frames.map((frame) => frame.data?.choices?.[0]?.delta?.content ?? '').join(''), 'Half');
    const error = frames.find((frame) => frame.data?.error);
    assert.ok(error, 'an error chunk');
    assert.equal(frames.at(-1)?.data, '[DONE]');
    assert.ok(!JSON.stringify(error.data).includes('sk-upstream'), 'no key in the error');
  });

  it('ends the stream with an error chunk and [DONE] at a frame that is neither JSON nor [DONE], and records the attempt failed (raw SSE)', async () => {
    harness.fake.script(answer([text('Half'), invalidJson(), text(' never')], { usage }));
    const before = (await ledger()).length;
    const connection = await stream({});
    const frames = await connection.ended;
    const body = connection.body();
    assert.equal(frames.map((frame) => frame.data?.choices?.[0]?.delta?.content ?? '').join(''), 'Half');
    assert.ok(!frames.some((frame) => typeof frame.data === 'string' && frame.data !== '[DONE]'), 'the malformed frame was not passed on');
    const error = frames.find((frame) => frame.data?.error);
    assert.match(String(error?.data.error.message), /malformed response/);
    assert.deepEqual([error?.data.error.type, error?.data.error.code], ['server_error', 'provider_error']);
    assert.ok(body.endsWith('data: [DONE]\n\n'));
    assert.equal(frames.filter((frame) => frame.data === '[DONE]').length, 1);
    const rows = await ledger();
    assert.equal(rows.length, before + 1);
    assert.deepEqual([rows[0]!.status, rows[0]!.errorCode], ['error', 'PROVIDER_ERROR']);
  });

  it('turns an upstream error frame mid-stream into its own error chunk, and the openai client throws it', async () => {
    harness.fake.script(answer([text('Half'), streamError('the model is overloaded')], { usage }));
    const client = new OpenAI({ apiKey: harness.user.token, baseURL: `${harness.baseUrl}/v1`, maxRetries: 0 });
    let content = '';
    await assert.rejects(async () => {
      for await (const chunk of await client.chat.completions.create({ model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'Hi' }] })) {
        content += chunk.choices[0]?.delta.content ?? '';
      }
    }, (error: Error) => /the model is overloaded \(server_error\)/.test(error.message) && !/object Object/.test(error.message));
    assert.equal(content, 'Half');
    assert.equal((await ledger())[0]!.status, 'error');
  });

  it('has the openai client fail on a malformed frame instead of reading past it', async () => {
    harness.fake.script(answer([text('Half'), invalidJson(), text(' never')], { usage }));
    const client = new OpenAI({ apiKey: harness.user.token, baseURL: `${harness.baseUrl}/v1`, maxRetries: 0 });
    let content = '';
    await assert.rejects(async () => {
      for await (const chunk of await client.chat.completions.create({ model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'Hi' }] })) {
        content += chunk.choices[0]?.delta.content ?? '';
      }
    }, /malformed response/);
    assert.equal(content, 'Half');
  });

  it('skips lines that are no SSE field, as the SSE spec says, and answers a non-JSON 200 body as a 502', async () => {
    harness.fake.script(answer([text('One'), garbageLine(), text(' two')], { usage }));
    const frames = await (await stream({})).ended;
    assert.equal(frames.map((frame) => frame.data?.choices?.[0]?.delta?.content ?? '').join(''), 'One two');
    assert.ok(!frames.some((frame) => frame.data?.error));

    harness.fake.script(answer([text('One'), invalidJson()], { usage }));
    const response = await fetch(`${harness.baseUrl}/v1/chat/completions`, {
      method: 'POST', headers: { ...bearer(harness.user.token), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(response.status, 502);
    assert.match(((await response.json()) as any).error.message, /malformed response/);
  });
});
