import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSharedPostgres } from '../../test/support/databases.ts';
import { createTestApp, type TestApp } from '../../test/support/test-app.ts';
import { readTestServices } from '../config/load-config.ts';
import { fileSweepLeaseName } from '../files/file-module.ts';
import { abandonedTurnLeaseName } from './abandoned-turn-sweep.ts';

const services = readTestServices();
if (!services.postgresUrl && services.servicesRequired) throw new Error('the sweep lease suite needs COLLOQUY_TEST_POSTGRES_URL in CI');
if (!services.postgresUrl) console.log('# sweep lease suites skipped: set COLLOQUY_TEST_POSTGRES_URL to run them');

function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release };
}

/** A generating answer whose runner stopped touching it two minutes ago (a lost instance). */
async function seedAbandonedAnswer(instance: TestApp): Promise<{ userId: string; messageId: string }> {
  const { repositories, newId } = instance.dependencies;
  const now = new Date(Date.now() - 2 * 60_000).toISOString();
  const userId = newId();
  await repositories.users.create({ id: userId, username: `sweep-${userId}`, email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now });
  const conversationId = newId();
  await repositories.conversations.create(userId, { id: conversationId, title: 'swept', now });
  const messageId = newId();
  await repositories.messages.create(userId, conversationId, { id: messageId, role: 'assistant', content: 'partial', status: 'generating', now });
  return { userId, messageId };
}

const setups = [
  { label: 'PostgreSQL advisory lock', redis: false },
  { label: 'Redis lock', redis: true },
];

for (const setup of setups) {
  const skip = !services.postgresUrl ? 'needs PostgreSQL' : setup.redis && !services.redisUrl ? 'needs Redis' : false;
  describe(`sweeps on two instances of one deployment (${setup.label})`, { skip }, () => {
    let first: TestApp;
    let second: TestApp;
    before(async () => {
      const shared = (await openSharedPostgres())!;
      const redisKeyPrefix = `colloquy-sweep-${process.pid}-${Date.now()}:`;
      const env: Record<string, string> = setup.redis ? { REDIS_URL: services.redisUrl! } : {};
      first = await createTestApp(shared.first, { env, dependencies: { redisKeyPrefix } });
      second = await createTestApp(shared.second, { env, dependencies: { redisKeyPrefix } });
    });
    after(async () => {
      await second?.close();
      await first?.close();
    });

    it('builds the lease the deployment has', () => {
      assert.equal(first.dependencies.lease.kind, setup.redis ? 'redis' : 'postgres');
    });

    it('an abandoned-answer sweep run on both at the same time is done by exactly one', async () => {
      const { userId, messageId } = await seedAbandonedAnswer(first);
      const outcomes = await Promise.all([first, second, first, second].map((instance) => instance.dependencies.sweeps.abandonedTurns.runOnce()));
      const ran = outcomes.filter((outcome) => outcome.ran);
      assert.ok(ran.length >= 1, 'someone swept');
      // Runs that did not overlap may each take the lease in turn; what ended the answer was one run.
      assert.deepEqual(ran.flatMap((outcome) => (outcome.ran ? outcome.value : [])), [messageId]);
      assert.equal((await first.dependencies.repositories.messages.findForUser(userId, messageId))?.status, 'incomplete');
    });

    it('while one instance holds the abandoned-answer lease, the other skips its run and ends nothing', async () => {
      const { userId, messageId } = await seedAbandonedAnswer(first);
      const held = gate();
      const holding = first.dependencies.lease.run(abandonedTurnLeaseName, () => held.opened);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(await second.dependencies.sweeps.abandonedTurns.runOnce(), { ran: false });
      assert.equal((await second.dependencies.repositories.messages.findForUser(userId, messageId))?.status, 'generating');
      held.release();
      assert.equal((await holding).ran, true);
      assert.deepEqual(await second.dependencies.sweeps.abandonedTurns.runOnce(), { ran: true, value: [messageId] });
    });

    it('while one instance holds the file-sweep lease, the other skips its file sweep', async () => {
      const held = gate();
      const holding = first.dependencies.lease.run(fileSweepLeaseName, () => held.opened);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(await second.dependencies.fileStore.sweepUnderLease(), { ran: false });
      held.release();
      await holding;
      assert.deepEqual(await second.dependencies.fileStore.sweepUnderLease(), { ran: true, value: { blobs: 0, localFiles: 0 } });
    });
  });
}
