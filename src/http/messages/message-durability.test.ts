import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { openSse, renderSteps, startChatHarness, type ChatHarness, type ReceivedFrame } from '../../../test/support/chat-harness.ts';
import { answer, disconnect, httpError, invalidJson, rateLimited, stall, text } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json } from '../../../test/support/test-app.ts';
import { readTestServices } from '../../config/load-config.ts';

const { redisUrl } = readTestServices();

for (const database of testDatabases()) {
  // Scaled out (PostgreSQL), turns run on the Redis run log when Redis is available.
  const scaledOut = database.name === 'postgres' && redisUrl !== undefined;
  describe(`durable turns (${database.name}${scaledOut ? ' + redis' : ''})`, () => {
    let harness: ChatHarness;
    before(async () => {
      harness = await startChatHarness(await database.open(), {
        env: {
          COLLOQUY_UPSTREAM_IDLE_TIMEOUT_MS: '400', COLLOQUY_UPSTREAM_MAX_RETRIES: '2', COLLOQUY_UPSTREAM_RETRY_MAX_DELAY_MS: '5000',
          ...(scaledOut ? { REDIS_URL: redisUrl! } : {}),
        },
        dependencies: { redisKeyPrefix: `colloquy-test-${process.pid}-${Date.now()}:` },
      });
    });
    after(() => harness.close());

    const auth = () => bearer(harness.user.token);
    const stream = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      openSse(`${harness.baseUrl}/api/messages/stream`, { headers: { ...auth(), ...headers }, body });
    const storedAnswer = async (messageId: string) => {
      const stored = await harness.dependencies.repositories.messages.findForUser(harness.user.id, messageId);
      return stored!;
    };

    it('a client killed mid-stream resumes with Last-Event-ID and gets the rest, nothing lost or repeated', async () => {
      const conversationId = await harness.newConversation();
      const gate = harness.fake.gate();
      harness.fake.script(answer([text('The first half, '), gate, text('and the second half.')], { usage: { promptTokens: 4, completionTokens: 8 } }));
      const first = await stream({ conversation_id: conversationId, content: 'tell me' });
      const messageId = String(first.headers['x-message-id']);
      const seen = await first.waitFor((frame) => frame.event === 'process_step');
      first.destroy();
      // The turn goes on without any client.
      gate.release();
      const resumed = await openSse(`${harness.baseUrl}/api/messages/${messageId}/stream`, {
        method: 'GET', headers: { ...auth(), 'last-event-id': String(seen.id) },
      });
      assert.equal(resumed.status, 200);
      const rest = await resumed.ended;
      const all: ReceivedFrame[] = [seen, ...rest];
      const ids = all.map((frame) => Number(frame.id));
      assert.deepEqual(ids, [...new Set(ids)].sort((a, b) => a - b), 'frame ids are unique and increasing');
      assert.deepEqual(renderSteps(all), [{ id: 'step-0', index: 0, type: 'text', content: 'The first half, and the second half.' }]);
      assert.equal(rest.at(-1)!.event, 'done');
      assert.equal((await storedAnswer(messageId)).content, 'The first half, and the second half.');

      // Reading again from the start replays the whole turn; from the last frame, nothing is left.
      const replay = await (await openSse(`${harness.baseUrl}/api/messages/${messageId}/stream`, { method: 'GET', headers: auth() })).ended;
      assert.deepEqual(renderSteps(replay), renderSteps(all));
      const nothing = await (await openSse(`${harness.baseUrl}/api/messages/${messageId}/stream`, {
        method: 'GET', headers: { ...auth(), 'last-event-id': String(rest.at(-1)!.id) },
      })).ended;
      assert.deepEqual(nothing, []);
    });

    it('partial content is flushed to the database while the answer is generating', async () => {
      const conversationId = await harness.newConversation();
      const gate = harness.fake.gate();
      harness.fake.script(answer([text('partial so far'), gate, text(' and done')]));
      const connection = await stream({ conversation_id: conversationId, content: 'go' });
      const messageId = String(connection.headers['x-message-id']);
      await gate.reached;
      let stored = await storedAnswer(messageId);
      for (let waited = 0; stored.content === '' && waited < 2000; waited += 25) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        stored = await storedAnswer(messageId);
      }
      assert.deepEqual([stored.status, stored.content], ['generating', 'partial so far']);
      gate.release();
      await connection.ended;
      assert.equal((await storedAnswer(messageId)).status, 'complete');
    });

    it('stop aborts the upstream request and keeps the partial answer as cancelled', async () => {
      const conversationId = await harness.newConversation();
      const gate = harness.fake.gate();
      harness.fake.script(answer([text('Before the stop'), gate, text('never sent')]));
      const index = harness.fake.requests.length;
      const connection = await stream({ conversation_id: conversationId, content: 'go' });
      const messageId = String(connection.headers['x-message-id']);
      await connection.waitFor((frame) => frame.event === 'process_step');
      const stop = await harness.app.inject({ method: 'POST', url: `/api/messages/${messageId}/stop`, headers: auth() });
      assert.equal(stop.statusCode, 200, stop.body);
      assert.equal(json(stop).data.stopped, true);
      await harness.fake.waitForClientClose(index);
      const frames = await connection.ended;
      assert.equal(frames.at(-1)!.event, 'done');
      assert.equal(frames.at(-1)!.data.status, 'cancelled');
      const stored = await storedAnswer(messageId);
      assert.deepEqual([stored.status, stored.content], ['cancelled', 'Before the stop']);
      gate.release();
      // Stopping an ended turn is not an error; another user's turn is not found.
      const again = await harness.app.inject({ method: 'POST', url: `/api/messages/${messageId}/stop`, headers: auth() });
      assert.equal(json(again).data.stopped, false);
    });

    it('an Idempotency-Key repeat returns the same turn with one upstream call', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(answer([text('Only once')]));
      const before = harness.fake.chatRequests.length;
      const body = { conversation_id: conversationId, content: 'once please' };
      const headers = { ...auth(), 'idempotency-key': `key-${conversationId}` };
      const [first, second] = await Promise.all([
        harness.app.inject({ method: 'POST', url: '/api/messages', headers, payload: body }),
        harness.app.inject({ method: 'POST', url: '/api/messages', headers, payload: body }),
      ]);
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(second.statusCode, 200, second.body);
      assert.equal(json(first).data.assistant_message.id, json(second).data.assistant_message.id);
      assert.equal(json(second).data.assistant_message.content, 'Only once');
      const streamed = await (await stream(body, { 'idempotency-key': `key-${conversationId}` })).ended;
      assert.deepEqual(renderSteps(streamed), [{ id: 'step-0', index: 0, type: 'text', content: 'Only once' }]);
      assert.equal(harness.fake.chatRequests.length - before, 1);
      const listed = await harness.app.inject({ url: `/api/messages?conversation_id=${conversationId}`, headers: auth() });
      assert.equal(json(listed).data.messages.length, 2);
      const reused = await harness.app.inject({ method: 'POST', url: '/api/messages', headers, payload: { ...body, content: 'different' } });
      assert.equal(reused.statusCode, 409);
    });

    it('retries a 429 after its Retry-After, before any token', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(rateLimited(1), httpError(503), answer([text('Third time lucky')]));
      const before = harness.fake.chatRequests.length;
      const started = Date.now();
      const frames = await (await stream({ conversation_id: conversationId, content: 'try' })).ended;
      assert.ok(Date.now() - started >= 1000, 'waited at least the second the upstream asked for');
      assert.equal(harness.fake.chatRequests.length - before, 3);
      assert.deepEqual(renderSteps(frames), [{ id: 'step-0', index: 0, type: 'text', content: 'Third time lucky' }]);
      const ledger = await harness.dependencies.repositories.usage.listForUser(harness.user.id, { limit: 3 });
      assert.deepEqual(ledger.map((row) => [row.attempt, row.status, row.errorCode]).reverse(), [
        [1, 'error', 'RATE_LIMITED'], [2, 'error', 'PROVIDER_ERROR'], [3, 'success', null],
      ]);
    });

    it('never splices a retry into an answer that has streamed tokens', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(answer([text('Half an ans'), disconnect()]), answer([text('SPLICED')]));
      const before = harness.fake.chatRequests.length;
      const frames = await (await stream({ conversation_id: conversationId, content: 'go' })).ended;
      assert.equal(harness.fake.chatRequests.length - before, 1);
      assert.equal(frames.at(-1)!.event, 'error');
      const stored = await storedAnswer(frames.at(-1)!.data.message_id);
      assert.deepEqual([stored.status, stored.content], ['failed', 'Half an ans']);
      assert.ok(stored.error);
      harness.fake.script(); // the unused reply stays queued; drain it for the next tests
      await harness.app.inject({ method: 'POST', url: '/api/messages', headers: auth(), payload: { conversation_id: conversationId, content: 'drain' } });
    });

    it('a stalled upstream hits the idle timeout and the turn fails cleanly', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(answer([text('Started, then'), stall()]));
      const index = harness.fake.requests.length;
      const started = Date.now();
      const frames = await (await stream({ conversation_id: conversationId, content: 'go' })).ended;
      assert.ok(Date.now() - started < 5000);
      const error = frames.at(-1)!;
      assert.equal(error.event, 'error');
      assert.equal(error.data.code, 'PROVIDER_TIMEOUT');
      assert.match(error.data.content, /stopped sending/);
      await harness.fake.waitForClientClose(index);
      assert.equal((await storedAnswer(error.data.message_id)).status, 'failed');
    });

    it('a malformed upstream stream ends the turn as failed with a clear error', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(answer([text('ok so far'), invalidJson()]));
      const frames = await (await stream({ conversation_id: conversationId, content: 'go' })).ended;
      const error = frames.at(-1)!;
      assert.equal(error.event, 'error');
      assert.match(error.data.content, /malformed|JSON|parse/i);
      const stored = await storedAnswer(error.data.message_id);
      assert.deepEqual([stored.status, stored.content], ['failed', 'ok so far']);
    });

    it("another user can neither follow nor stop someone's turn", async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(answer([text('mine')]));
      const connection = await stream({ conversation_id: conversationId, content: 'go' });
      const messageId = String(connection.headers['x-message-id']);
      await connection.ended;
      const { signUp } = await import('../../../test/support/test-app.ts');
      const mallory = await signUp(harness.app);
      const follow = await harness.app.inject({ url: `/api/messages/${messageId}/stream`, headers: bearer(mallory.token) });
      assert.equal(follow.statusCode, 404);
      const stop = await harness.app.inject({ method: 'POST', url: `/api/messages/${messageId}/stop`, headers: bearer(mallory.token) });
      assert.equal(stop.statusCode, 404);
    });
  });
}
