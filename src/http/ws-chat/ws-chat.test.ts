import assert from 'node:assert/strict';
import { connect as connectTcp } from 'node:net';
import WebSocket from 'ws';
import { after, before, describe, it } from 'node:test';
import { startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { answer, reasoning, text } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp } from '../../../test/support/test-app.ts';
import { openDatabase } from '../../storage/database.ts';
import { connectWs as connect, refusedStatus, textOf, type ReceivedWsFrame as Frame } from './ws-test-client.ts';

describe('StellarByte WebSocket chat', () => {
  let harness: ChatHarness;
  let wsBase: string;
  before(async () => {
    harness = await startChatHarness(openDatabase({ dialect: 'sqlite', path: ':memory:' }));
    wsBase = harness.baseUrl.replace('http://', 'ws://');
  });
  after(() => harness.close());

  it('sends the full frame sequence and stores the exchange in the session', async () => {
    harness.fake.script(answer([reasoning('Hmm.'), text('Hello'), text(' world')], { usage: { promptTokens: 9, completionTokens: 3 } }));
    const client = await connect(`${wsBase}/ws/chat?token=${harness.user.token}`);
    const start = await client.waitFor((frame) => frame.event === 'session_start');
    const sessionId = start.data.session_id as string;
    client.send({ type: 'chat.message', content: 'Say hello' });
    await client.waitFor((frame) => frame.event === 'message_stop');
    const sequence = client.frames.map((frame) => frame.event);
    assert.deepEqual(sequence, [
      'session_start', 'message_start',
      'content_block_start', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ]);
    const [thinkingStart, , , textStart] = client.frames.slice(2);
    assert.deepEqual(thinkingStart!.data, { type: 'thinking', index: 0 });
    assert.deepEqual(textStart!.data, { type: 'text', index: 1 });
    assert.equal(client.frames[3]!.data.delta.reasoning_content, 'Hmm.');
    assert.equal(textOf(client.frames), 'Hello world');
    const delta = client.frames.find((frame) => frame.event === 'message_delta')!;
    assert.deepEqual(delta.data.delta, { finish_reason: 'stop' });
    assert.equal(delta.data.usage.output_tokens, 3);
    client.socket.close();

    const messages = await harness.app.inject({ method: 'GET', url: `/api/sessions/${sessionId}/messages`, headers: bearer(harness.user.token) });
    assert.deepEqual(json(messages).map((message: any) => [message.role, message.content]), [['user', 'Say hello'], ['assistant', 'Hello world']]);
    const ledger = await harness.dependencies.repositories.usage.listForUser(harness.user.id, { limit: 10 });
    assert.equal(ledger.find((row) => row.conversationId === sessionId)?.surface, 'stellarbyte');
  });

  it('attaches to a session by id, created on first use, and continues it with its history', async () => {
    const sessionId = `ws-session-${Date.now()}`;
    harness.fake.script(answer([text('First.')]), answer([text('Second.')]));
    const first = await connect(`${wsBase}/api/ws/chat?session_id=${sessionId}`, bearer(harness.user.token));
    assert.equal((await first.waitFor((frame) => frame.event === 'session_start')).data.session_id, sessionId);
    first.send({ type: 'chat.message', content: 'one' });
    await first.waitFor((frame) => frame.event === 'message_stop');
    first.socket.close();

    const again = await connect(`${wsBase}/ws/chat?session_id=${sessionId}&token=${harness.user.token}`);
    again.send({ type: 'chat.message', content: 'two' });
    await again.waitFor((frame) => frame.event === 'message_stop');
    const upstream = (harness.fake.chatRequests.at(-1)!.body as any).messages.map((message: any) => message.content);
    assert.deepEqual(upstream, ['one', 'First.', 'two']);
    again.socket.close();
  });

  it('authenticates with api_key, and refuses bad or missing credentials at the handshake', async () => {
    const created = await harness.app.inject({ method: 'POST', url: '/api/api-keys', headers: bearer(harness.user.token), payload: { name: 'ws' } });
    const key = json(created).key as string;
    const client = await connect(`${wsBase}/ws/chat?api_key=${key}`);
    await client.waitFor((frame) => frame.event === 'session_start');
    client.socket.close();
    assert.equal(await refusedStatus(`${wsBase}/ws/chat`), 401);
    assert.equal(await refusedStatus(`${wsBase}/ws/chat?api_key=sk-not-a-real-key`), 401);
  });

  it("refuses another user's session over the socket", async () => {
    const sessionId = `ws-private-${Date.now()}`;
    const owner = await connect(`${wsBase}/ws/chat?session_id=${sessionId}&token=${harness.user.token}`);
    await owner.waitFor((frame) => frame.event === 'session_start');
    owner.socket.close();
    const other = await signUp(harness.app);
    assert.equal(await refusedStatus(`${wsBase}/ws/chat?session_id=${sessionId}&token=${other.token}`), 404);
  });

  it("cannot follow another user's reply by its message id", async () => {
    harness.fake.script(answer([text('Private answer.')]));
    const owner = await connect(`${wsBase}/ws/chat?token=${harness.user.token}`);
    owner.send({ type: 'chat.message', content: 'secret' });
    const start = await owner.waitFor((frame) => frame.event === 'message_start');
    await owner.waitFor((frame) => frame.event === 'message_stop');
    owner.socket.close();
    const other = await signUp(harness.app);
    const intruder = await connect(`${wsBase}/ws/chat?token=${other.token}`);
    intruder.send({ type: 'chat.resume', message_id: start.data.message_id });
    const error = await intruder.waitFor((frame) => frame.event === 'error');
    assert.equal(error.data.code, 'NOT_FOUND');
    assert.equal(textOf(intruder.frames), '');
    const url = `${wsBase}/ws/chat?token=${other.token}&last_event_id=${encodeURIComponent(`${start.data.message_id}:0`)}`;
    const viaUrl = await connect(url);
    assert.equal((await viaUrl.waitFor((frame) => frame.event === 'error')).data.code, 'NOT_FOUND');
    intruder.socket.close();
    viaUrl.socket.close();
  });

  it('stops a reply on chat.stop; the reply still ends with message_stop', async () => {
    const gate = harness.fake.gate();
    harness.fake.script(answer([text('Partial'), gate, text(' never')]));
    const client = await connect(`${wsBase}/ws/chat?token=${harness.user.token}`);
    client.send({ type: 'chat.message', content: 'long story' });
    await client.waitFor((frame) => frame.event === 'content_block_delta');
    client.send({ type: 'chat.stop' });
    const delta = await client.waitFor((frame) => frame.event === 'message_delta');
    assert.equal(delta.data.status, 'cancelled');
    await client.waitFor((frame) => frame.event === 'message_stop');
    assert.equal(textOf(client.frames), 'Partial');
    gate.release();
    client.socket.close();
  });

  it('resumes after a dropped socket from the last frame id, nothing lost or repeated', async () => {
    const gate = harness.fake.gate();
    harness.fake.script(answer([text('Before the drop, '), gate, text('after the drop.')]));
    const first = await connect(`${wsBase}/ws/chat?token=${harness.user.token}`);
    const sessionId = (await first.waitFor((frame) => frame.event === 'session_start')).data.session_id;
    first.send({ type: 'chat.message', content: 'go' });
    const seen = await first.waitFor((frame) => frame.event === 'content_block_delta');
    first.socket.terminate();
    gate.release();

    const second = await connect(`${wsBase}/ws/chat?session_id=${sessionId}&token=${harness.user.token}&last_event_id=${encodeURIComponent(seen.id!)}`);
    await second.waitFor((frame) => frame.event === 'message_stop');
    const before = first.frames.slice(0, first.frames.indexOf(seen) + 1);
    assert.equal(textOf(before) + textOf(second.frames), 'Before the drop, after the drop.');
    const ids = [...before, ...second.frames].filter((frame) => frame.id).map((frame) => Number(frame.id!.split(':').at(-1)));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    // Frames made from one event share its id; the resumed ones all come after the cursor.
    const cursor = Number(seen.id!.split(':').at(-1));
    assert.ok(second.frames.filter((frame) => frame.id).every((frame) => Number(frame.id!.split(':').at(-1)) > cursor), 'no frame arrives twice');
    second.socket.close();
  });

  it('refuses a second chat.message while a reply is being started or generated', async () => {
    const gate = harness.fake.gate();
    harness.fake.script(answer([text('Only one.'), gate]));
    const requestsBefore = harness.fake.chatRequests.length;
    const client = await connect(`${wsBase}/ws/chat?token=${harness.user.token}`);
    client.send({ type: 'chat.message', content: 'first' });
    client.send({ type: 'chat.message', content: 'second' });
    const refused = await client.waitFor((frame) => frame.event === 'error');
    assert.equal(refused.data.code, 'CONFLICT');
    gate.release();
    await client.waitFor((frame) => frame.event === 'message_delta');
    assert.equal(harness.fake.chatRequests.length, requestsBefore + 1);
    client.socket.close();
  });

  it('answers a bad frame with an error frame and keeps the socket open', async () => {
    const client = await connect(`${wsBase}/ws/chat?token=${harness.user.token}`);
    client.socket.send('not json');
    const error = await client.waitFor((frame) => frame.event === 'error');
    assert.match(error.data.message, /JSON objects/);
    client.send({ type: 'ping' });
    await client.waitFor((frame) => frame.event === 'pong');
    client.socket.close();
  });

  it('turns down per-message deflate even when the client offers it', async () => {
    const socket = new WebSocket(`${wsBase}/ws/chat?token=${harness.user.token}`, { perMessageDeflate: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    assert.equal(socket.extensions, '');
    socket.close();
  });

  it('answers an upgrade on any other path with 404, and ends every refused handshake’s socket', async () => {
    assert.equal(await refusedStatus(`${wsBase}/api/health`), 404);
    assert.equal(await refusedStatus(`${wsBase}/no/such/path`), 404);
    const { port } = new URL(harness.baseUrl);
    for (const path of ['/ws/chat', '/api/health']) {
      const raw = connectTcp(Number(port), '127.0.0.1');
      let answer = '';
      raw.on('data', (chunk) => (answer += chunk));
      raw.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      const ended = await Promise.race([
        new Promise<boolean>((resolve) => raw.once('close', () => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000)),
      ]);
      raw.destroy();
      assert.equal(ended, true, `the server ended the socket of the refused upgrade to ${path}`);
      assert.match(answer, path === '/ws/chat' ? /^HTTP\/1\.1 401/ : /^HTTP\/1\.1 404/);
    }
  });
});
