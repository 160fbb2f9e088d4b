import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { openSse, startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { startFakePlatforms, type FakePlatforms } from '../../../test/support/fake-platforms/fake-platforms.ts';
import { bearer, json } from '../../../test/support/test-app.ts';

const platformKey = 'platform-app-key-0123456789';

for (const database of testDatabases()) {
  describe(`FastGPT and Dify agents through LLMChat's chat (${database.name})`, () => {
    let harness: ChatHarness;
    let platforms: FakePlatforms;
    const agents: Record<string, string> = {};
    before(async () => {
      platforms = await startFakePlatforms({ apiKey: platformKey });
      harness = await startChatHarness(await database.open());
      const post = async (url: string, payload: object) => {
        const response = await harness.app.inject({ method: 'POST', url, headers: bearer(harness.user.token), payload });
        assert.equal(response.statusCode, 200, response.body);
        return json(response).data.id as string;
      };
      const fastgpt = await post('/api/providers', { name: 'My FastGPT', provider_type: 'fastgpt', base_url: platforms.fastgptBaseUrl, api_key: platformKey });
      const dify = await post('/api/providers', { name: 'My Dify', provider_type: 'dify', base_url: platforms.difyBaseUrl, api_key: platformKey });
      agents.fastgpt = await post('/api/agents', { name: 'FastGPT app', provider: fastgpt, config: { variables: { company: 'Acme' } } });
      agents.dify = await post('/api/agents', { name: 'Dify app', provider: dify, config: { variables: { lang: 'en' } } });
      agents.difyBlocking = await post('/api/agents', { name: 'Dify blocking', provider: 'dify', config: { responseMode: 'blocking' } });
    });
    after(async () => {
      await harness.close();
      await platforms.close();
    });

    const chat = (body: object) => harness.app.inject({ method: 'POST', url: '/api/chat/completions', headers: bearer(harness.user.token), payload: body });
    const stream = async (body: object) =>
      (await openSse(`${harness.baseUrl}/api/chat/completions`, { headers: bearer(harness.user.token), body: { ...body, stream: true } })).ended;

    it('FastGPT: streamed and not, with our conversation as chatId and the variables (agent’s and the call’s)', async () => {
      platforms.script({ chunks: ['Fast', 'GPT'], usage: { promptTokens: 4, completionTokens: 2 } });
      const frames = await stream({ agentId: agents.fastgpt, messages: [{ role: 'user', content: 'hello' }], variables: { user: 'Ada' } });
      assert.deepEqual(frames.map((frame) => frame.event), ['chatId', 'start', 'chunk', 'chunk', 'end']);
      const sessionId = frames[1]!.data.sessionId as string;
      assert.equal(frames[0]!.data.chatId, sessionId);
      const first = platforms.chatRequests.at(-1)!;
      assert.equal(first.path, '/api/v1/chat/completions');
      assert.equal(first.body.chatId, sessionId);
      assert.deepEqual(first.body.variables, { company: 'Acme', user: 'Ada' });

      platforms.script({ chunks: ['Blocking ', 'too'], usage: { promptTokens: 6, completionTokens: 2 } });
      const reply = json(await chat({ agentId: agents.fastgpt, sessionId, messages: [{ role: 'user', content: 'again' }] })).data;
      assert.equal(reply.message.content, 'Blocking too');
      assert.deepEqual(reply.usage, { promptTokens: 6, completionTokens: 2, totalTokens: 8, prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 });
      assert.equal(platforms.chatRequests.at(-1)!.body.chatId, sessionId);
    });

    it('Dify: streamed turns map its conversation id to ours and send it on the next turn; agent thoughts arrive as status', async () => {
      platforms.script({ chunks: ['Sunny'], thoughts: [{ tool: 'weather', toolInput: '{"city":"Oslo"}', observation: 'sunny' }] });
      const frames = await stream({ agentId: agents.dify, messages: [{ role: 'user', content: 'weather in Oslo?' }] });
      assert.deepEqual(frames.map((frame) => frame.event), ['chatId', 'start', 'status', 'status', 'chunk', 'end']);
      assert.equal(frames[2]!.data.content, 'Using weather with {"city":"Oslo"}\n');
      const sessionId = frames[1]!.data.sessionId as string;
      const first = platforms.chatRequests.at(-1)!;
      assert.deepEqual(first.body, { inputs: { lang: 'en' }, query: 'weather in Oslo?', response_mode: 'streaming', conversation_id: '', user: harness.user.id });
      const issued = platforms.difyConversationIds.at(-1);

      platforms.script({ chunks: ['Still sunny'] });
      const reply = json(await chat({ agentId: agents.dify, sessionId, messages: [{ role: 'user', content: 'and tomorrow?' }] })).data;
      assert.equal(reply.message.content, 'Still sunny');
      const second = platforms.chatRequests.at(-1)!;
      assert.equal(second.body.conversation_id, issued);
      assert.equal(second.body.query, 'and tomorrow?');
    });

    it('Dify: an agent set to blocking mode calls response_mode blocking, and its conversation id is kept too', async () => {
      platforms.script({ chunks: ['Blocked answer'], usage: { promptTokens: 3, completionTokens: 2 } });
      const frames = await stream({ agentId: agents.difyBlocking, messages: [{ role: 'user', content: 'q1' }] });
      assert.deepEqual(frames.map((frame) => [frame.event, frame.data.content ?? null]), [['chatId', null], ['start', null], ['chunk', 'Blocked answer'], ['end', null]]);
      assert.equal(platforms.chatRequests.at(-1)!.body.response_mode, 'blocking');
      const issued = platforms.difyConversationIds.at(-1);
      platforms.script({ chunks: ['Second'] });
      await chat({ agentId: agents.difyBlocking, sessionId: frames[1]!.data.sessionId, messages: [{ role: 'user', content: 'q2' }] });
      assert.equal(platforms.chatRequests.at(-1)!.body.conversation_id, issued);
    });

    it('Dify status probes the app’s /info without opening a conversation', async () => {
      const before = platforms.chatRequests.length;
      const status = json(await harness.app.inject({ url: `/api/agents/${agents.dify}/status`, headers: bearer(harness.user.token) })).data;
      assert.equal(status.status, 'online');
      assert.equal(platforms.requests.at(-1)!.path, '/v1/info');
      assert.equal(platforms.chatRequests.length, before);
    });
  });
}
