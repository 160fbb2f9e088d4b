import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chatTestEnvironment, openSse, renderSteps, startChatHarness, type ChatHarness } from '../../test/support/chat-harness.ts';
import { openSharedPostgres } from '../../test/support/databases.ts';
import { answer, text } from '../../test/support/fake-upstream/index.ts';
import { bearer, createTestApp, json, type TestApp } from '../../test/support/test-app.ts';
import { readTestServices } from '../config/load-config.ts';

const services = readTestServices();
const available = services.postgresUrl !== undefined && services.redisUrl !== undefined;
if (!available && services.servicesRequired) throw new Error('the scale-out suite needs COLLOQUY_TEST_POSTGRES_URL and COLLOQUY_TEST_REDIS_URL in CI');

/** Two server instances on one PostgreSQL database and one Redis, as when scaled out. */
describe('scaled out: two instances share turns through Redis', { skip: available ? false : 'needs PostgreSQL and Redis' }, () => {
  let first: ChatHarness;
  let second: TestApp;
  let secondUrl: string;
  before(async () => {
    const shared = (await openSharedPostgres())!;
    const redisKeyPrefix = `colloquy-scale-${process.pid}-${Date.now()}:`;
    const env = { REDIS_URL: services.redisUrl! };
    first = await startChatHarness(shared.first, { env, dependencies: { redisKeyPrefix } });
    second = await createTestApp(shared.second, { env: chatTestEnvironment(env), dependencies: { redisKeyPrefix } });
    await second.app.listen({ host: '127.0.0.1', port: 0 });
    secondUrl = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  it('a turn started on one instance is resumed on the other', async () => {
    const conversationId = await first.newConversation();
    const gate = first.fake.gate();
    first.fake.script(answer([text('Begun on A, '), gate, text('finished while read on B.')]));
    const connection = await openSse(`${first.baseUrl}/api/messages/stream`, {
      headers: bearer(first.user.token), body: { conversation_id: conversationId, content: 'go' },
    });
    const seen = await connection.waitFor((frame) => frame.event === 'process_step');
    connection.destroy();
    const resumed = await openSse(`${secondUrl}/api/messages/${connection.headers['x-message-id']}/stream`, {
      method: 'GET', headers: { ...bearer(first.user.token), 'last-event-id': String(seen.id) },
    });
    gate.release();
    const rest = await resumed.ended;
    assert.deepEqual(renderSteps([seen, ...rest]), [{ id: 'step-0', index: 0, type: 'text', content: 'Begun on A, finished while read on B.' }]);
    assert.equal(rest.at(-1)!.event, 'done');
  });

  it('a stop sent to the other instance aborts the upstream call', async () => {
    const conversationId = await first.newConversation();
    const gate = first.fake.gate();
    first.fake.script(answer([text('Stop me'), gate, text(' never')]));
    const index = first.fake.requests.length;
    const connection = await openSse(`${first.baseUrl}/api/messages/stream`, {
      headers: bearer(first.user.token), body: { conversation_id: conversationId, content: 'go' },
    });
    await connection.waitFor((frame) => frame.event === 'process_step');
    const stop = await second.app.inject({
      method: 'POST', url: `/api/messages/${connection.headers['x-message-id']}/stop`, headers: bearer(first.user.token),
    });
    assert.equal(json(stop).data.stopped, true);
    await first.fake.waitForClientClose(index);
    const frames = await connection.ended;
    assert.equal(frames.at(-1)!.data.status, 'cancelled');
    gate.release();
  });
});
