import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { testDatabases } from '../../../test/support/databases.ts';
import { answer, text } from '../../../test/support/fake-upstream/index.ts';
import { responseId, webApp, type WebApp } from '../../../test/support/llmchat-web-app.ts';
import { bearer, json, signUp } from '../../../test/support/test-app.ts';
import {
  agentChatReplySchema,
  clearReplySchema,
  deleteReplySchema,
  feedbackReplySchema,
  historyDetailSchema,
  historyListSchema,
  initReplySchema,
} from './llmchat-schemas.ts';

for (const database of testDatabases()) {
  describe(`LLMChat's web app: init, history, retry, feedback (${database.name})`, () => {
    let harness: ChatHarness;
    let web: WebApp;
    let agentId: string;
    before(async () => {
      harness = await startChatHarness(await database.open());
      web = webApp(harness.app, harness.user.token);
      const created = await harness.app.inject({
        method: 'POST', url: '/api/agents', headers: bearer(harness.user.token),
        payload: { name: 'Guide', description: 'Hello! I answer travel questions.', provider: harness.providerId, config: { model: 'fake-model' } },
      });
      assert.equal(created.statusCode, 200, created.body);
      agentId = json(created).data.id;
    });
    after(() => harness.close());

    /** A chat of two turns, as the web app makes it; answers the chat id and the client's answer ids. */
    async function twoTurnChat(chatId: string) {
      const ids = [responseId(), responseId()];
      harness.fake.script(answer([text('Go to Oslo.')]), answer([text('Take the train.')]));
      assert.equal((await web.send(agentId, 'Where should I go?', { chatId, responseChatItemId: ids[0] })).statusCode, 200);
      assert.equal((await web.send(agentId, 'How do I get there?', { chatId, responseChatItemId: ids[1] })).statusCode, 200);
      return ids as [string, string];
    }

    it('init answers the chat id and the agent, as JSON or as a short stream that closes', async () => {
      const plain = initReplySchema.parse(json(await web.init(agentId, 'session_1700000000000'))).data;
      assert.equal(plain.chatId, 'session_1700000000000');
      assert.deepEqual(plain.app.chatConfig, { welcomeText: 'Hello! I answer travel questions.', variables: [] });
      assert.equal(plain.app.name, 'Guide');

      const fresh = initReplySchema.parse(json(await web.init(agentId))).data;
      assert.match(fresh.chatId, /^[0-9a-f-]{36}$/);

      const streamed = await web.initStream(agentId, 'session_1700000000001');
      assert.equal(streamed.closedByServer, true);
      assert.deepEqual(streamed.frames.map(([event]) => event), ['chatId', 'chunk', 'end']);
      assert.deepEqual(streamed.frames[0]![1], { chatId: 'session_1700000000001' });
      assert.equal(streamed.frames[1]![1].content, 'Hello! I answer travel questions.');
      assert.equal(streamed.frames[2]![1].data.app.chatConfig.variables.length, 0);

      assert.equal((await web.init('no-such-agent')).statusCode, 404);
    });

    it('lists chats per agent and shows a chat’s active branch with the client’s answer ids', async () => {
      const chatId = 'session_1700000010000';
      const [firstId, secondId] = await twoTurnChat(chatId);
      const list = historyListSchema.parse(json(await web.listHistories(agentId))).data;
      const listed = list.find((chat) => chat.chatId === chatId);
      assert.equal(listed?.appId, agentId);
      assert.equal(listed?.messageCount, 4);
      assert.equal(listed?.title, 'Where should I go?');

      const detail = historyDetailSchema.parse(json(await web.getHistoryDetail(agentId, chatId))).data;
      assert.equal(detail.chatId, chatId);
      assert.deepEqual(
        detail.messages.map((message) => [message.role, message.content, message.feedback]),
        [['user', 'Where should I go?', null], ['assistant', 'Go to Oslo.', null], ['user', 'How do I get there?', null], ['assistant', 'Take the train.', null]],
      );
      assert.deepEqual([detail.messages[1]!.dataId, detail.messages[3]!.dataId], [firstId, secondId]);
      assert.equal(detail.messages[0]!.dataId, detail.messages[0]!.id);

      assert.equal((await web.getHistoryDetail(agentId, 'session_never_seen')).statusCode, 404);
      const other = webApp(harness.app, (await signUp(harness.app)).token);
      assert.equal((await other.getHistoryDetail(agentId, chatId)).statusCode, 404);
      assert.deepEqual(json(await other.listHistories(agentId)).data, []);
    });

    it('stores thumbs up and down on an answer, shown in history; sending neither clears it; only the owner can', async () => {
      const chatId = 'session_1700000020000';
      const [firstId, secondId] = await twoTurnChat(chatId);
      const good = await web.feedback(agentId, chatId, firstId, 'good');
      assert.equal(good.statusCode, 200, good.body);
      assert.deepEqual(feedbackReplySchema.parse(json(good)).data.feedback, 'good');
      assert.equal((await web.feedback(agentId, chatId, secondId, 'bad')).statusCode, 200);
      let detail = historyDetailSchema.parse(json(await web.getHistoryDetail(agentId, chatId))).data;
      assert.deepEqual(detail.messages.map((message) => message.feedback), [null, 'good', null, 'bad']);

      assert.equal((await web.feedback(agentId, chatId, firstId, 'good', true)).statusCode, 200);
      detail = historyDetailSchema.parse(json(await web.getHistoryDetail(agentId, chatId))).data;
      assert.deepEqual(detail.messages.map((message) => message.feedback), [null, null, null, 'bad']);

      // By message id alone (no chatId) works too; a question cannot be rated.
      const byId = await harness.app.inject({
        method: 'POST', url: '/api/chat/feedback', headers: bearer(harness.user.token), payload: { messageId: detail.messages[1]!.id, userGoodFeedback: true },
      });
      assert.equal(byId.statusCode, 200, byId.body);
      assert.equal(json(byId).data.chatId, chatId);
      const question = await web.feedback(agentId, chatId, detail.messages[0]!.id, 'good');
      assert.equal(question.statusCode, 400);

      const other = webApp(harness.app, (await signUp(harness.app)).token);
      assert.equal((await other.feedback(agentId, chatId, secondId, 'good')).statusCode, 404);
      const foreignById = await other.feedback(agentId, 'session_x', detail.messages[3]!.id, 'good');
      assert.equal(foreignById.statusCode, 404);
      detail = historyDetailSchema.parse(json(await web.getHistoryDetail(agentId, chatId))).data;
      assert.deepEqual(detail.messages.map((message) => message.feedback), [null, 'good', null, 'bad']);
    });

    it('retries an answer, streamed and not: a new answer from the same history, the old one kept in the tree', async () => {
      const chatId = 'session_1700000030000';
      const [firstId, secondId] = await twoTurnChat(chatId);

      harness.fake.script(answer([text('Take the ferry.')]));
      const streamed = await web.retryStream(agentId, chatId, secondId);
      assert.equal(streamed.status, 200);
      assert.equal(streamed.closedByServer, true);
      assert.deepEqual(streamed.frames.map(([event]) => event), ['chatId', 'start', 'chunk', 'end']);
      assert.deepEqual(streamed.frames[2], ['chunk', { type: 'text', content: 'Take the ferry.' }]);
      assert.deepEqual(
        (harness.fake.chatRequests.at(-1)!.body as any).messages.map((message: any) => [message.role, message.content]),
        [['user', 'Where should I go?'], ['assistant', 'Go to Oslo.'], ['user', 'How do I get there?']],
      );
      let detail = historyDetailSchema.parse(json(await web.getHistoryDetail(agentId, chatId))).data;
      assert.deepEqual(detail.messages.map((message) => message.content), ['Where should I go?', 'Go to Oslo.', 'How do I get there?', 'Take the ferry.']);
      // The new answer keeps the id the web app holds, so feedback and a second retry reach it.
      assert.equal(detail.messages[3]!.dataId, secondId);

      harness.fake.script(answer([text('Fly.')]));
      const plain = await web.retry(agentId, chatId, secondId);
      assert.equal(plain.statusCode, 200, plain.body);
      assert.equal(agentChatReplySchema.parse(json(plain)).data.choices[0]!.message.content, 'Fly.');
      detail = historyDetailSchema.parse(json(await web.getHistoryDetail(agentId, chatId))).data;
      assert.equal(detail.messages.at(-1)!.content, 'Fly.');
      assert.equal((await web.feedback(agentId, chatId, secondId, 'good')).statusCode, 200);
      detail = historyDetailSchema.parse(json(await web.getHistoryDetail(agentId, chatId))).data;
      assert.equal(detail.messages.at(-1)!.feedback, 'good');

      // Every answer is still in the tree: the original and both retries.
      const all = await harness.dependencies.repositories.messages.listForConversation(harness.user.id, detail.conversationId, { branch: 'all' });
      assert.deepEqual(all.filter((message) => message.role === 'assistant').map((message) => message.content), ['Go to Oslo.', 'Take the train.', 'Take the ferry.', 'Fly.']);

      // Retrying the first answer answers the first question again, from an empty history.
      harness.fake.script(answer([text('Go to Bergen.')]));
      assert.equal((await web.retry(agentId, chatId, firstId)).statusCode, 200);
      assert.deepEqual(
        (harness.fake.chatRequests.at(-1)!.body as any).messages.map((message: any) => [message.role, message.content]),
        [['user', 'Where should I go?']],
      );

      assert.equal((await web.retry(agentId, chatId, 'no-such-answer')).statusCode, 404);
      const other = webApp(harness.app, (await signUp(harness.app)).token);
      assert.equal((await other.retry(agentId, chatId, secondId)).statusCode, 404);
    });

    it('deletes a chat: always 200, never another user’s; clearing removes all of an agent’s chats', async () => {
      const chatId = 'session_1700000040000';
      await twoTurnChat(chatId);
      const other = webApp(harness.app, (await signUp(harness.app)).token);
      const foreign = deleteReplySchema.parse(json(await other.deleteHistory(agentId, chatId))).data;
      assert.deepEqual(foreign, { chatId, deleted: false });
      assert.equal((await web.getHistoryDetail(agentId, chatId)).statusCode, 200);

      assert.deepEqual(deleteReplySchema.parse(json(await web.deleteHistory(agentId, chatId))).data, { chatId, deleted: true });
      assert.equal((await web.getHistoryDetail(agentId, chatId)).statusCode, 404);
      const again = await web.deleteHistory(agentId, chatId);
      assert.equal(again.statusCode, 200);
      assert.deepEqual(json(again).data, { chatId, deleted: false });
      assert.deepEqual(json(await web.deleteHistory(agentId, 'session_never_seen')).data, { chatId: 'session_never_seen', deleted: false });

      // The same client id starts over as a new, empty chat.
      harness.fake.script(answer([text('Fresh start.')]));
      await web.send(agentId, 'Hello again', { chatId });
      assert.deepEqual(
        (harness.fake.chatRequests.at(-1)!.body as any).messages.map((message: any) => message.content),
        ['Hello again'],
      );

      await twoTurnChat('session_1700000040001');
      const cleared = clearReplySchema.parse(json(await web.clearHistories(agentId))).data;
      assert.ok(cleared.deleted >= 2);
      assert.deepEqual(json(await web.listHistories(agentId)).data, []);
    });
  });
}
