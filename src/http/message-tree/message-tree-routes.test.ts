import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { answer, text } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json } from '../../../test/support/test-app.ts';

/** What the model was sent in the newest upstream request, as role: text lines. */
function lastPrompt(harness: ChatHarness): string[] {
  const messages = (harness.fake.chatRequests.at(-1)!.body as { messages: { role: string; content: unknown }[] }).messages;
  return messages.map(({ role, content }) => {
    const body = typeof content === 'string' ? content : (content as { text?: string }[]).map((part) => part.text ?? '').join('');
    return `${role}: ${body}`;
  });
}

for (const database of testDatabases()) {
  describe(`message tree end to end (${database.name})`, () => {
    let harness: ChatHarness;
    before(async () => {
      harness = await startChatHarness(await database.open());
    });
    after(() => harness.close());

    const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
      const response = await harness.app.inject({ method, url, headers: bearer(harness.user.token), payload: payload as object });
      assert.equal(response.statusCode, 200, `${method} ${url}: ${response.body}`);
      return json(response).data;
    };
    const send = async (conversationId: string, content: string, reply: string) => {
      harness.fake.script(answer([text(reply)]));
      return call('POST', '/api/messages', { conversation_id: conversationId, content });
    };
    const branchOf = async (conversationId: string) =>
      (await call('GET', `/api/messages/${conversationId}`)).messages.map((message: { content: string }) => message.content);

    it('edits an old message into a new branch, switches back, and the model then gets the old branch', async () => {
      const conversationId = await harness.newConversation();
      const first = await send(conversationId, 'Q1', 'A1');
      const second = await send(conversationId, 'Q2', 'A2');
      assert.equal(second.user_message.parent_id, first.assistant_message.id, 'a new turn hangs under the active leaf');

      harness.fake.script(answer([text('A1 again')]));
      const edited = await call('POST', `/api/messages/${first.user_message.id}/edit`, { content: 'Q1 edited' });
      assert.equal(edited.assistant_message.content, 'A1 again');
      assert.equal(edited.user_message.parent_id, null, 'the edit is a sibling of the original first message');
      assert.deepEqual(lastPrompt(harness), ['user: Q1 edited'], 'the new branch does not see the old one');
      assert.deepEqual(await branchOf(conversationId), ['Q1 edited', 'A1 again']);

      const siblings = await call('GET', `/api/messages/${first.user_message.id}/siblings`);
      assert.deepEqual(siblings.siblings.map((message: { content: string }) => message.content), ['Q1', 'Q1 edited']);
      assert.equal(siblings.index, 0);
      assert.equal(siblings.active_sibling_id, edited.user_message.id);

      const switched = await call('POST', `/api/messages/${first.user_message.id}/switch`);
      assert.deepEqual(switched.messages.map((message: { content: string }) => message.content), ['Q1', 'A1', 'Q2', 'A2'], 'switching to Q1 restores its newest branch');
      await send(conversationId, 'Q3', 'A3');
      assert.deepEqual(lastPrompt(harness), ['user: Q1', 'assistant: A1', 'user: Q2', 'assistant: A2', 'user: Q3']);
      assert.deepEqual(await branchOf(conversationId), ['Q1', 'A1', 'Q2', 'A2', 'Q3', 'A3']);

      const tree = await call('GET', `/api/conversations/${conversationId}/tree`);
      assert.equal(tree.messages.length, 8, 'both branches are kept');
      assert.equal(tree.active_path.length, 6);
    });

    it('regenerates an answer as a sibling, with the history above its question', async () => {
      const conversationId = await harness.newConversation();
      await send(conversationId, 'Q1', 'A1');
      const second = await send(conversationId, 'Q2', 'A2');
      harness.fake.script(answer([text('A2 retry')]));
      const again = await call('POST', `/api/messages/${second.assistant_message.id}/regenerate`, {});
      assert.equal(again.user_message.id, second.user_message.id, 'no new user message');
      assert.equal(again.assistant_message.parent_id, second.user_message.id);
      assert.deepEqual(lastPrompt(harness), ['user: Q1', 'assistant: A1', 'user: Q2']);
      const siblings = await call('GET', `/api/messages/${second.assistant_message.id}/siblings`);
      assert.deepEqual(siblings.siblings.map((message: { content: string }) => message.content), ['A2', 'A2 retry']);
      assert.deepEqual(await branchOf(conversationId), ['Q1', 'A1', 'Q2', 'A2 retry']);
      const system = await harness.app.inject({
        method: 'POST', url: `/api/messages/${second.user_message.id}/edit`, headers: bearer(harness.user.token), payload: { content: '' },
      });
      assert.equal(system.statusCode, 400, 'an empty edit is refused');
      const notUser = await harness.app.inject({
        method: 'POST', url: `/api/messages/${second.assistant_message.id}/edit`, headers: bearer(harness.user.token), payload: { content: 'x' },
      });
      assert.equal(notUser.statusCode, 400, 'only user messages are edited into branches');
    });

    it('updates, translates and deletes messages', async () => {
      const conversationId = await harness.newConversation();
      const first = await send(conversationId, 'Hello there', 'Hi!');
      const second = await send(conversationId, 'Q2', 'A2');
      await send(conversationId, 'Q3', 'A3');

      const updated = await call('PATCH', `/api/messages/${first.assistant_message.id}`, { content: 'Hi, edited', metadata: { pinned: true } });
      assert.equal(updated.content, 'Hi, edited');
      assert.deepEqual(updated.metadata.pinned, true);

      harness.fake.script(answer([text('Bonjour')]));
      const translation = await call('POST', `/api/messages/${first.user_message.id}/translate`, { target_language: 'French', model: 'fake-model' });
      assert.equal(translation.content, 'Bonjour');
      assert.equal(translation.to, 'French');
      const prompt = lastPrompt(harness);
      assert.match(prompt[0]!, /^system: Translate .* into French/);
      assert.equal(prompt[1], 'user: Hello there');
      const tree = await call('GET', `/api/conversations/${conversationId}/tree`);
      const stored = tree.messages.find((message: { id: string }) => message.id === first.user_message.id);
      assert.equal(stored.metadata.translation.content, 'Bonjour', 'the translation is stored on the message');

      const deleted = await call('POST', '/api/messages/delete', { conversation_id: conversationId, from_id: second.user_message.id, to_id: second.assistant_message.id });
      assert.equal(deleted.deleted, 2);
      assert.deepEqual(await branchOf(conversationId), ['Hello there', 'Hi, edited', 'Q3', 'A3'], 'the rest stays connected');
      const one = await call('POST', '/api/messages/delete', { ids: [first.user_message.id], include_descendants: true });
      assert.equal(one.deleted, 4, 'a subtree goes with its root when asked');
      assert.deepEqual(await branchOf(conversationId), []);
    });

    it("never reaches another user's messages", async () => {
      const conversationId = await harness.newConversation();
      const first = await send(conversationId, 'Mine', 'Yes');
      const other = await harness.app.inject({ method: 'POST', url: '/api/auth/register', payload: { username: `intruder${Date.now()}`, email: `i${Date.now()}@example.test`, password: 'correct horse battery' } });
      assert.equal(other.statusCode, 200);
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: json(other).data.username, password: 'correct horse battery' } });
      const token = json(login).data.token;
      for (const [method, url, payload] of [
        ['GET', `/api/messages/${first.user_message.id}/siblings`, undefined],
        ['POST', `/api/messages/${first.user_message.id}/switch`, undefined],
        ['POST', `/api/messages/${first.user_message.id}/edit`, { content: 'x' }],
        ['PATCH', `/api/messages/${first.user_message.id}`, { content: 'x' }],
        ['POST', '/api/messages/delete', { ids: [first.user_message.id] }],
        ['GET', `/api/conversations/${conversationId}/tree`, undefined],
      ] as const) {
        const response = await harness.app.inject({ method, url, headers: bearer(token), payload: payload as object | undefined });
        assert.equal(response.statusCode, 404, `${method} ${url}`);
      }
    });
  });
}
