import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { answer, disconnect, invalidJson, pause, stall, startFakeUpstream, streamError, text, toolCall, type FakeUpstream } from './index.ts';

function post(fake: FakeUpstream, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('fake upstream server', () => {
  let fake: FakeUpstream;
  beforeEach(async () => (fake = await startFakeUpstream()));
  afterEach(() => fake.close());

  it('gives base URLs on loopback for each provider', () => {
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(fake.openaiBaseUrl, `${fake.url}/v1`);
    assert.equal(fake.anthropicBaseUrl, `${fake.url}/v1`);
    assert.equal(fake.googleBaseUrl, `${fake.url}/v1beta`);
  });

  it('records every request, and counts only model requests when waiting', async () => {
    fake.script(answer([text('ok')]));
    const waiting = fake.waitForRequests(1);
    await fetch(`${fake.url}/v1/models`, { headers: { Authorization: 'Bearer k' } });
    assert.equal(fake.chatRequests.length, 0);
    const response = await post(fake, '/v1/chat/completions?trace=1', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { 'X-Custom': 'yes' });
    await response.text();
    await waiting;

    assert.deepEqual(
      fake.requests.map((request) => [request.format, request.kind, request.method, request.path]),
      [
        ['openai', 'models', 'GET', '/v1/models'],
        ['openai', 'chat', 'POST', '/v1/chat/completions'],
      ],
    );
    const chat = fake.requests[1];
    assert.equal(chat?.headers.authorization, undefined);
    assert.equal(fake.requests[0]?.headers.authorization, 'Bearer k');
    assert.equal(chat?.headers['x-custom'], 'yes');
    assert.deepEqual(chat?.query, { trace: '1' });
    assert.deepEqual(chat?.body, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(chat?.model, 'm');
    assert.equal(chat?.isStream, false);
  });

  it('hands out replies in order, whatever format each request uses', async () => {
    fake.script(answer([text('one')]), answer([text('two')]));
    assert.equal(fake.pendingReplies, 2);
    const first = (await (await post(fake, '/v1/chat/completions', { model: 'm' })).json()) as { choices: Array<{ message: { content: string } }> };
    const second = (await (await post(fake, '/v1/messages', { model: 'c' })).json()) as { content: Array<{ text: string }> };
    assert.equal(first.choices[0]?.message.content, 'one');
    assert.equal(second.content[0]?.text, 'two');
    assert.equal(fake.pendingReplies, 0);
  });

  it('streams tool arguments in the scripted pieces, and can leave out the terminator', async () => {
    fake.script(answer([toolCall('get_weather', { city: 'Paris' }, { pieces: ['{"ci', 'ty":"Par', 'is"}'] })], { omitTerminator: true }));
    const body = await (await post(fake, '/v1/chat/completions', { model: 'm', stream: true })).text();
    const events = body.split('\n\n').filter((event) => event !== '');
    const argumentPieces = events
      .map((event) => JSON.parse(event.replace(/^data: /, '')) as { choices: Array<{ delta: { tool_calls?: Array<{ function: { arguments: string } }> } }> })
      .flatMap((chunk) => chunk.choices[0]?.delta.tool_calls?.map((call) => call.function.arguments) ?? []);
    assert.deepEqual(argumentPieces, ['{"ci', 'ty":"Par', 'is"}']);
    assert.match(body, /"finish_reason":"tool_calls"/);
    assert.doesNotMatch(body, /\[DONE\]/);
    assert.throws(() => toolCall('f', { a: 1 }, { pieces: ['{"a":', '2}'] }), /must join into the input JSON/);
  });

  it('waits delayMs before the headers and partDelayMs between parts', async () => {
    fake.script(answer([text('a'), text('b'), text('c')], { delayMs: 80, partDelayMs: 40 }));
    const started = Date.now();
    const response = await post(fake, '/v1/chat/completions', { model: 'm', stream: true });
    const headersAfter = Date.now() - started;
    const body = await response.text();
    const bodyAfter = Date.now() - started;
    assert.ok(headersAfter >= 75, `headers after ${headersAfter} ms`);
    assert.ok(bodyAfter - headersAfter >= 75, `parts took ${bodyAfter - headersAfter} ms`);
    assert.match(body, /data: \[DONE\]/);
  });

  it('pauses mid-stream after the headers are out', async () => {
    fake.script(answer([text('a'), pause(60), text('b')]));
    const response = await post(fake, '/v1/messages', { model: 'c', stream: true });
    const headersAt = Date.now();
    await response.text();
    assert.ok(Date.now() - headersAt >= 55, 'the pause came after the headers');
  });

  it('keeps a stalled stream open with headers sent until close releases it', async () => {
    fake.script(answer([stall()]));
    const response = await post(fake, '/v1/chat/completions', { model: 'm', stream: true });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reading = response.text();
    const outcome = await Promise.race([reading.then(() => 'ended'), new Promise((resolve) => setTimeout(() => resolve('stalled'), 50))]);
    assert.equal(outcome, 'stalled');
    const clientClose = assert.rejects(fake.waitForClientClose(0), /request #0/);
    await fake.close();
    await assert.rejects(reading);
    await clientClose;
    assert.equal(fake.requests[0]?.clientClosedEarly, false);
  });

  it('releases a reply held at a gate when it closes', async () => {
    const gate = fake.gate();
    fake.script(answer([text('a'), gate, text('b')]));
    const reading = post(fake, '/v1beta/models/gemini-x:streamGenerateContent?alt=sse', {}).then((response) => response.text());
    await gate.reached;
    assert.equal(gate.isReleased, false);
    await fake.close();
    await assert.rejects(reading);
  });

  it('rejects waitForClientClose when the reply finished normally', async () => {
    fake.script(answer([text('done')]));
    await (await post(fake, '/v1/chat/completions', { model: 'm', stream: true })).text();
    await assert.rejects(fake.waitForClientClose(0), /request #0 finished without the client closing/);
  });

  it('rejects a pending wait when it closes first', async () => {
    const waiting = fake.waitForRequests(1);
    await fake.close();
    await assert.rejects(waiting, /closed while waiting: 0 of 1 model requests/);
  });

  it('plays faults on a non-streamed answer', async () => {
    fake.script(answer([text('a'), streamError('broke')]), answer([text('a'), invalidJson()]), answer([text('a'), disconnect()]), answer([stall()]));
    const failed = await post(fake, '/v1/messages', { model: 'c' });
    assert.equal(failed.status, 500);
    assert.deepEqual(await failed.json(), { type: 'error', error: { type: 'api_error', message: 'broke' } });
    const malformed = await post(fake, '/v1/chat/completions', { model: 'm' });
    assert.equal(malformed.status, 200);
    await assert.rejects(malformed.json());
    await assert.rejects(post(fake, '/v1/chat/completions', { model: 'm' }));
    const stalled = await post(fake, '/v1beta/models/gemini-x:generateContent', {});
    assert.equal(stalled.status, 200);
    const reading = stalled.text();
    await fake.close();
    await assert.rejects(reading);
  });

  it('answers 404 to an unknown route and 400 to Google streaming without alt=sse, keeping the reply', async () => {
    fake.script(answer([text('kept')]));
    const unknown = await post(fake, '/v2/whatever', {});
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /fake upstream: no route for POST \/v2\/whatever/);
    const withoutSse = await post(fake, '/v1beta/models/gemini-x:streamGenerateContent', {});
    assert.equal(withoutSse.status, 400);
    assert.equal(fake.pendingReplies, 1);
    assert.deepEqual(fake.requests.map((request) => request.kind), ['unknown', 'chat']);
  });
});
