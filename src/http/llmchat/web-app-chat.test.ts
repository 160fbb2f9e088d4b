import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { testDatabases } from '../../../test/support/databases.ts';
import { answer, text } from '../../../test/support/fake-upstream/index.ts';
import { responseId, webApp, type WebApp } from '../../../test/support/llmchat-web-app.ts';
import { bearer, json, signUp } from '../../../test/support/test-app.ts';
import { agentChatReplySchema } from './llmchat-schemas.ts';

/** A 1×1 transparent PNG. */
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

const upstreamTurns = (body: any) =>
  body.messages.map((message: any) => [message.role, typeof message.content === 'string' ? message.content : message.content]);

for (const database of testDatabases()) {
  describe(`LLMChat's web app: chat by its own chatId (${database.name})`, () => {
    let harness: ChatHarness;
    let web: WebApp;
    let agentId: string;
    before(async () => {
      harness = await startChatHarness(await database.open());
      web = webApp(harness.app, harness.user.token);
      const created = await harness.app.inject({
        method: 'POST', url: '/api/agents', headers: bearer(harness.user.token),
        payload: { name: 'Helper', description: 'Answers questions', provider: harness.providerId, config: { model: 'fake-model', systemPrompt: 'Be brief.' } },
      });
      assert.equal(created.statusCode, 200, created.body);
      agentId = json(created).data.id;
    });
    after(() => harness.close());

    it('keeps the history of a chat the client names, sending only the newest message each turn', async () => {
      const chatId = 'session_1700000000000';
      const ids = [responseId(), responseId(), responseId()];

      harness.fake.script(answer([text('First '), text('answer')]));
      const first = await web.sendStream(agentId, 'first question', { chatId, responseChatItemId: ids[0] });
      assert.equal(first.status, 200);
      assert.match(first.headers['content-type']!, /^text\/event-stream/);
      assert.equal(first.headers.connection, 'close');
      assert.equal(first.closedByServer, true, 'the server closes the connection after end');
      const messageId = first.headers['x-message-id']!;
      assert.deepEqual(first.frames, [
        ['chatId', { chatId }],
        ['start', { type: 'start', sessionId: chatId, messageId }],
        ['chunk', { type: 'text', content: 'First ' }],
        ['chunk', { type: 'text', content: 'answer' }],
        ['end', { type: 'end', sessionId: chatId, messageId }],
      ]);
      // Every frame is whole, LF-terminated, and the body ends right after end.
      assert.ok(first.body.endsWith(`event: end\ndata: ${JSON.stringify({ type: 'end', sessionId: chatId, messageId })}\n\n`));

      harness.fake.script(answer([text('Second answer')], { usage: { promptTokens: 9, completionTokens: 2 } }));
      const second = await web.send(agentId, 'second question', { chatId, responseChatItemId: ids[1] });
      assert.equal(second.statusCode, 200, second.body);
      const reply = agentChatReplySchema.parse(json(second)).data;
      assert.equal(reply.choices[0]!.message.content, 'Second answer');
      assert.equal(reply.message.content, 'Second answer');
      assert.equal(reply.sessionId, chatId);
      assert.equal(reply.chatId, chatId);
      assert.deepEqual(reply.usage, { promptTokens: 9, completionTokens: 2, totalTokens: 11, prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });

      harness.fake.script(answer([text('Third answer')]));
      const third = await web.sendStream(agentId, 'third question', { chatId, responseChatItemId: ids[2] });
      assert.deepEqual(third.frames.map(([event]) => event), ['chatId', 'start', 'chunk', 'end']);
      assert.equal(third.closedByServer, true);
      assert.deepEqual(upstreamTurns(harness.fake.chatRequests.at(-1)!.body), [
        ['system', 'Be brief.'],
        ['user', 'first question'],
        ['assistant', 'First answer'],
        ['user', 'second question'],
        ['assistant', 'Second answer'],
        ['user', 'third question'],
      ]);

      // One conversation, the caller's, with the agent; the client's answer ids are kept.
      const conversationId = reply.conversationId;
      assert.notEqual(conversationId, chatId);
      const conversation = await harness.dependencies.repositories.conversations.findForUser(harness.user.id, conversationId);
      assert.equal(conversation?.agentId, agentId);
      const stored = await harness.dependencies.repositories.messages.listForConversation(harness.user.id, conversationId, {});
      assert.equal(stored.length, 6);
      assert.deepEqual(stored.filter((message) => message.role === 'assistant').map((message) => message.metadata.responseChatItemId), ids);
    });

    it('gives another user who sends the same chatId a chat of their own, never the first user’s', async () => {
      const chatId = 'session_1700000000500';
      harness.fake.script(answer([text('for the owner')]));
      const mine = agentChatReplySchema.parse(json(await web.send(agentId, 'owner secret', { chatId }))).data;

      const other = await signUp(harness.app);
      const theirWeb = webApp(harness.app, other.token);
      const provider = await harness.app.inject({
        method: 'POST', url: '/api/providers', headers: bearer(other.token),
        payload: { name: 'Fake', provider_type: 'openai', base_url: harness.fake.openaiBaseUrl, api_key: 'sk-other-0123456789abcdef', default_model: 'fake-model' },
      });
      const theirAgent = json(
        await harness.app.inject({ method: 'POST', url: '/api/agents', headers: bearer(other.token), payload: { name: 'Theirs', provider: json(provider).data.id } }),
      ).data.id as string;
      harness.fake.script(answer([text('for the other')]));
      const theirs = await theirWeb.sendStream(theirAgent, 'other question', { chatId });
      assert.equal(theirs.status, 200);
      assert.deepEqual(theirs.frames[0], ['chatId', { chatId }]);
      assert.doesNotMatch(JSON.stringify(harness.fake.chatRequests.at(-1)!.body), /owner secret|for the owner/);

      const ownerHistory = json(await web.getHistoryDetail(agentId, chatId)).data;
      assert.equal(ownerHistory.conversationId, mine.conversationId);
      assert.deepEqual(ownerHistory.messages.map((message: any) => message.content), ['owner secret', 'for the owner']);
      const otherHistory = json(await theirWeb.getHistoryDetail(theirAgent, chatId)).data;
      assert.notEqual(otherHistory.conversationId, mine.conversationId);
      assert.deepEqual(otherHistory.messages.map((message: any) => message.content), ['other question', 'for the other']);
    });

    it('makes one conversation when the first two requests of a new chat race', async () => {
      const chatId = `session_${Date.now()}`;
      harness.fake.script(answer([text('a')]), answer([text('b')]));
      const [one, two] = await Promise.all([web.send(agentId, 'race one', { chatId }), web.send(agentId, 'race two', { chatId })]);
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(two.statusCode, 200, two.body);
      assert.equal(json(one).data.conversationId, json(two).data.conversationId);
      const list = json(await web.listHistories(agentId)).data.filter((chat: any) => chat.chatId === chatId);
      assert.equal(list.length, 1);
      assert.equal(list[0].messageCount, 4);
    });

    it('puts uploaded images and text files into the user message: images as image parts, text files as text', async () => {
      const image = json(await web.upload('dot.png', 'image/png', png));
      assert.equal(image.code, 'SUCCESS', JSON.stringify(image));
      const notes = json(await web.upload('notes.md', 'text/markdown', Buffer.from('# Notes\nThe launch code is 4711.')));
      const attachments = [image.data, notes.data];
      const chatId = 'session_1700000001000';

      harness.fake.script(answer([text('I see a dot and your notes.')]));
      const sent = await web.sendStream(agentId, 'What is in these files?', { chatId, attachments, responseChatItemId: responseId() });
      assert.deepEqual(sent.frames.map(([event]) => event), ['chatId', 'start', 'chunk', 'end']);
      const last = (harness.fake.chatRequests.at(-1)!.body as any).messages.at(-1);
      assert.equal(last.role, 'user');
      assert.deepEqual(last.content, [
        { type: 'text', text: 'What is in these files?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
        { type: 'text', text: 'Attached file "notes.md" (text/markdown):\n\n# Notes\nThe launch code is 4711.' },
      ]);

      // Only the typed text is stored as the question; the files are kept as references on it.
      const stored = await harness.dependencies.repositories.messages.listForConversation(
        harness.user.id, json(await web.getHistoryDetail(agentId, chatId)).data.conversationId, {},
      );
      assert.equal(stored[0]!.content, 'What is in these files?');
      assert.deepEqual((stored[0]!.metadata.attachments as any[]).map((ref) => ref.id), [image.data.id, notes.data.id]);

      // A bare {id} works too.
      harness.fake.script(answer([text('Still a dot.')]));
      const again = await web.send(agentId, 'And now?', { chatId, attachments: [{ id: image.data.id } as any] });
      assert.equal(again.statusCode, 200, again.body);
      const parts = (harness.fake.chatRequests.at(-1)!.body as any).messages.at(-1).content;
      assert.equal(parts[1].type, 'image_url');
    });

    it('refuses a file the caller does not own (404) before any conversation exists', async () => {
      const other = await signUp(harness.app);
      const theirs = json(await webApp(harness.app, other.token).upload('private.txt', 'text/plain', Buffer.from('private')));
      const chatId = 'session_1700000002000';
      const response = await web.send(agentId, 'read this', { chatId, attachments: [theirs.data] });
      assert.equal(response.statusCode, 404, response.body);
      assert.equal(json(response).code, 'NOT_FOUND');
      assert.equal((await web.getHistoryDetail(agentId, chatId)).statusCode, 404);
    });
  });
}
