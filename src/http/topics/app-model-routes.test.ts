import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';

for (const database of testDatabases()) {
  describe(`LobeChat app model routes (${database.name})`, () => {
    let test: TestApp;
    let alice: { id: string; token: string };
    let bob: { id: string; token: string };
    before(async () => {
      test = await createTestApp(await database.open());
      alice = await signUp(test.app);
      bob = await signUp(test.app);
    });
    after(() => test.close());

    const call = async (user: { token: string }, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, status = 200) => {
      const response = await test.app.inject({ method, url, headers: bearer(user.token), payload: payload as object | undefined });
      assert.equal(response.statusCode, status, `${method} ${url}: ${response.body}`);
      return json(response).data;
    };
    /** A conversation with these messages stored as a chain (no model is called). */
    const conversationWith = async (user: { id: string; token: string }, title: string, contents: string[], agentId?: string) => {
      const created = await test.app.inject({ method: 'POST', url: '/api/conversations', headers: bearer(user.token), payload: { title } });
      const conversationId = json(created).data.id as string;
      const messageIds: string[] = [];
      for (const [index, content] of contents.entries()) {
        const response = await test.app.inject({
          method: 'POST', url: `/api/sessions/${conversationId}/messages`, headers: bearer(user.token),
          payload: { role: index % 2 === 0 ? 'user' : 'assistant', content },
        });
        messageIds.push(json(response).id);
      }
      if (agentId) await test.dependencies.repositories.conversations.update(user.id, conversationId, { agentId }, new Date().toISOString());
      return { conversationId, messageIds };
    };

    it('creates, orders, renames and deletes session groups; deleting one ungroups its members', async () => {
      const work = await call(alice, 'POST', '/api/session-groups', { name: 'Work' });
      const home = await call(alice, 'POST', '/api/session-groups', { name: 'Home' });
      const misc = await call(alice, 'POST', '/api/session-groups', { name: 'Misc' });
      assert.deepEqual([work.sort, home.sort, misc.sort], [0, 1, 2], 'new groups go last');
      const reordered = await call(alice, 'PUT', '/api/session-groups/order', { ids: [misc.id, work.id] });
      assert.deepEqual(reordered.groups.map((group: { name: string }) => group.name), ['Misc', 'Work', 'Home']);
      await call(alice, 'PUT', '/api/session-groups/order', { ids: [misc.id, 'nope'] }, 404);
      assert.deepEqual((await call(alice, 'GET', '/api/session-groups')).groups.map((group: { name: string }) => group.name), ['Misc', 'Work', 'Home'], 'a failed reorder changes nothing');
      await call(bob, 'PUT', '/api/session-groups/order', { ids: [work.id] }, 404);

      const { conversationId } = await conversationWith(alice, 'Plan', ['hello']);
      await call(alice, 'PUT', '/api/session-groups/members', { kind: 'conversation', id: conversationId, group_id: work.id });
      assert.deepEqual((await call(alice, 'GET', `/api/session-groups/${work.id}`)).conversations, [{ id: conversationId, title: 'Plan' }]);
      await call(bob, 'PUT', '/api/session-groups/members', { kind: 'conversation', id: conversationId, group_id: null }, 404);
      const renamed = await call(alice, 'PUT', `/api/session-groups/${work.id}`, { name: 'Office' });
      assert.equal(renamed.name, 'Office');
      await call(alice, 'DELETE', `/api/session-groups/${work.id}`);
      await call(alice, 'GET', `/api/session-groups/${work.id}`, undefined, 404);
      const topic = await call(alice, 'GET', `/api/topics/${conversationId}`);
      assert.equal(topic.session_group_id, null, 'the conversation stays, ungrouped');
      await call(alice, 'POST', '/api/session-groups', { name: ' ' }, 400);
    });

    it("lists an agent's topics with favourites first, renames them, and clones one with its branches", async () => {
      const first = await conversationWith(alice, 'First', ['q1', 'a1'], 'agent-7');
      const second = await conversationWith(alice, 'Second', ['q2', 'a2'], 'agent-7');
      await conversationWith(alice, 'Inbox chat', ['q3']);
      await conversationWith(bob, 'Bob chat', ['q4'], 'agent-7');
      await call(alice, 'PATCH', `/api/topics/${first.conversationId}`, { favorite: true, title: 'First, renamed' });
      const listed = await call(alice, 'GET', '/api/topics?agent_id=agent-7');
      assert.deepEqual(listed.items.map((topic: { title: string }) => topic.title), ['First, renamed', 'Second'], 'favourite first; only the caller’s');
      assert.equal(listed.total, 2);
      assert.equal(listed.items[0].favorite, true);
      const favourites = await call(alice, 'GET', '/api/topics?agent_id=agent-7&favorite=true');
      assert.equal(favourites.total, 1);
      assert.ok((await call(alice, 'GET', '/api/topics')).items.some((topic: { title: string }) => topic.title === 'Inbox chat'));
      await call(bob, 'PATCH', `/api/topics/${first.conversationId}`, { favorite: false }, 404);

      // A second answer to q2, then back to the first one: the copy must keep both and the selection.
      await test.dependencies.repositories.messages.createMany(alice.id, second.conversationId, [
        { id: test.dependencies.newId(), role: 'assistant', content: 'a2 alternative', parentId: second.messageIds[0]!, now: new Date().toISOString() },
      ]);
      await call(alice, 'POST', `/api/messages/${second.messageIds[1]}/switch`);
      const clone = await call(alice, 'POST', `/api/topics/${second.conversationId}/clone`, { title: 'Copy' });
      assert.equal(clone.title, 'Copy');
      const sourceTree = await call(alice, 'GET', `/api/conversations/${second.conversationId}/tree`);
      const cloneTree = await call(alice, 'GET', `/api/conversations/${clone.id}/tree`);
      assert.equal(cloneTree.messages.length, sourceTree.messages.length);
      assert.ok(cloneTree.messages.every((message: { id: string }) => !sourceTree.active_path.includes(message.id)), 'the copy has new ids');
      const contents = (tree: { messages: { id: string; content: string }[]; active_path: string[] }) =>
        tree.active_path.map((id) => tree.messages.find((message) => message.id === id)!.content);
      assert.deepEqual(contents(cloneTree), ['q2', 'a2'], 'the same branch is active in the copy');
      assert.deepEqual(cloneTree.messages.map((message: { content: string }) => message.content), ['q2', 'a2', 'a2 alternative']);
      assert.equal(cloneTree.messages[1].parent_id, cloneTree.messages[0].id, 'parent links point into the copy');
      await call(bob, 'POST', `/api/conversations/${second.conversationId}/clone`, {}, 404);
    });

    it('branches threads from a message, lists, renames and deletes them', async () => {
      const source = await conversationWith(alice, 'Source', ['q1', 'a1', 'q2', 'a2']);
      const thread = await call(alice, 'POST', '/api/threads', { conversation_id: source.conversationId, source_message_id: source.messageIds[2] });
      assert.equal(thread.type, 'continuation');
      assert.equal(thread.title, 'q2');
      const history = await call(alice, 'GET', `/api/messages/${thread.id}`);
      assert.deepEqual(history.messages.map((message: { content: string }) => message.content), ['q1', 'a1', 'q2'], 'the thread starts with the source branch');
      const standalone = await call(alice, 'POST', '/api/threads', {
        conversation_id: source.conversationId, source_message_id: source.messageIds[3], type: 'standalone', title: 'Side', parent_thread_id: thread.id,
      });
      assert.deepEqual((await call(alice, 'GET', `/api/messages/${standalone.id}`)).messages.map((message: { content: string }) => message.content), ['a2']);
      const listed = await call(alice, 'GET', `/api/threads?conversation_id=${source.conversationId}`);
      assert.deepEqual(listed.threads.map((item: { id: string }) => item.id), [standalone.id, thread.id]);
      const updated = await call(alice, 'PATCH', `/api/threads/${thread.id}`, { title: 'Renamed', status: 'archived' });
      assert.deepEqual([updated.title, updated.status], ['Renamed', 'archived']);
      await call(bob, 'GET', `/api/threads/${thread.id}`, undefined, 404);
      await call(bob, 'POST', '/api/threads', { conversation_id: source.conversationId, source_message_id: source.messageIds[0] }, 404);
      await call(alice, 'DELETE', `/api/threads/${thread.id}`);
      await call(alice, 'GET', `/api/threads/${thread.id}`, undefined, 404);
      assert.equal((await call(alice, 'GET', `/api/messages/${source.conversationId}`)).messages.length, 4, 'the source stays');
    });

    it("searches only the caller's messages and titles, and treats query syntax as text", async () => {
      const mine = await conversationWith(alice, 'Quantum notes', ['tell me about quantum tunnelling', 'Tunnelling lets particles cross barriers']);
      await conversationWith(bob, 'Quantum notes too', ['quantum tunnelling please', 'bob answer about tunnelling']);
      const found = await call(alice, 'GET', '/api/search?q=tunnelling');
      assert.deepEqual(found.messages.items.map((hit: { id: string }) => hit.id).sort(), [...mine.messageIds].sort());
      assert.ok(found.messages.items.every((hit: { conversation_id: string }) => hit.conversation_id === mine.conversationId), 'never Bob’s');
      assert.deepEqual(found.conversations.items.map((hit: { title: string }) => hit.title), []);
      const titles = await call(alice, 'GET', '/api/search?q=quantum&type=conversations');
      assert.deepEqual(titles.conversations.items.map((hit: { id: string }) => hit.id), [mine.conversationId]);
      assert.equal(titles.messages.total, 0);
      const paged = await call(alice, 'GET', '/api/search?q=tunnelling&type=messages&limit=1&page=2');
      assert.equal(paged.messages.items.length, 1);
      assert.equal(paged.messages.total, 2);
      for (const tricky of ['"quantum', 'quantum AND', 'NEAR(quantum', 'content:quantum', 'quantum*', "it's -quantum"]) {
        const response = await test.app.inject({ url: `/api/search?q=${encodeURIComponent(tricky)}`, headers: bearer(alice.token) });
        assert.equal(response.statusCode, 200, `${tricky}: ${response.body}`);
      }
      await call(alice, 'GET', `/api/search?q=${encodeURIComponent('" * ()')}`, undefined, 400);
      // Edits and deletes keep the index in step.
      await call(alice, 'PATCH', `/api/messages/${mine.messageIds[1]}`, { content: 'rewritten' });
      assert.equal((await call(alice, 'GET', '/api/search?q=barriers')).messages.total, 0);
      assert.equal((await call(alice, 'GET', '/api/search?q=rewritten')).messages.total, 1);
      await call(alice, 'POST', '/api/messages/delete', { ids: [mine.messageIds[1]] });
      assert.equal((await call(alice, 'GET', '/api/search?q=rewritten')).messages.total, 0);
    });
  });
}
