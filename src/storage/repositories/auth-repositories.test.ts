import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Database } from '../database.ts';
import { createIdGenerator } from '../ids.ts';
import { migrateToLatest } from '../migrate.ts';
import { createApiKeysRepository } from './api-keys-repository.ts';
import { createAuditRepository } from './audit-repository.ts';
import { createAuthSessionsRepository } from './auth-sessions-repository.ts';
import { createUsersRepository } from './users-repository.ts';

const newId = createIdGenerator();
const now = () => new Date().toISOString();

for (const testDatabase of testDatabases()) {
  describe(`auth repositories contract (${testDatabase.name})`, () => {
    let database: Database;
    let users: ReturnType<typeof createUsersRepository>;
    before(async () => {
      database = await testDatabase.open();
      const applied = await migrateToLatest(database);
      assert.equal(applied[0], '0001-foundation');
      assert.deepEqual(await migrateToLatest(database), [], 'a second run applies nothing');
      users = createUsersRepository(database.db);
    });
    after(() => database.close());

    async function makeUser(username: string, email: string | null = null) {
      return users.create({ id: newId(), username, email, name: null, passwordHash: 'hash', role: 'user', permissionLevel: 1, now: now() });
    }

    it('finds users by username or email, case-insensitively', async () => {
      const user = await makeUser('MixedCase', 'Mixed@Example.test');
      assert.equal((await users.findForLogin('mixedcase'))?.user.id, user.id);
      assert.equal((await users.findForLogin(' mixed@example.TEST '))?.user.id, user.id);
      assert.equal(await users.findForLogin('unknown'), undefined);
      assert.equal((await users.findById(user.id))?.isActive, true);
    });

    it('turns duplicate usernames and emails into CONFLICT', async () => {
      await makeUser('unique-one', 'one@example.test');
      await assert.rejects(makeUser('UNIQUE-ONE'), (error: unknown) => error instanceof AppError && error.code === 'CONFLICT');
      await assert.rejects(makeUser('other', 'ONE@example.test'), (error: unknown) => error instanceof AppError && error.code === 'CONFLICT');
    });

    it('updates flags and levels, and counts active admins', async () => {
      const before = await users.countActiveAdmins();
      const user = await makeUser('promotable');
      const updated = await users.update(user.id, { role: 'admin', permissionLevel: 4, isActive: true }, now());
      assert.equal(updated?.role, 'admin');
      assert.equal(updated?.permissionLevel, 4);
      assert.equal(await users.countActiveAdmins(), before + 1);
      await users.update(user.id, { isActive: false }, now());
      assert.equal(await users.countActiveAdmins(), before);
      const page = await users.list({ offset: 0, limit: 2 });
      assert.equal(page.users.length, 2);
      assert.equal(page.total, 3);
    });

    it('marks a refresh token used exactly once and revokes sessions', async () => {
      const sessions = createAuthSessionsRepository(database.db);
      const user = await makeUser('session-owner');
      const ids = [newId(), newId()];
      for (const id of ids) {
        await sessions.createSession({ id, userId: user.id, createdAt: now(), lastUsedAt: now(), expiresAt: now(), revokedAt: null, revokedReason: null, userAgent: null, ip: '127.0.0.1' });
      }
      const tokenId = newId();
      await sessions.addRefreshToken({ id: tokenId, sessionId: ids[0]!, userId: user.id, tokenHash: `hash-${tokenId}`, createdAt: now(), expiresAt: now(), usedAt: null });
      assert.equal((await sessions.findRefreshToken(`hash-${tokenId}`))?.id, tokenId);
      const results = await Promise.all([sessions.markRefreshTokenUsed(tokenId, now()), sessions.markRefreshTokenUsed(tokenId, now())]);
      assert.deepEqual(results.sort(), [false, true], 'two concurrent uses: exactly one wins');
      assert.equal(await sessions.revokeUserSessions(user.id, 'test', now(), ids[1]), 1);
      assert.notEqual((await sessions.findSession(ids[0]!))?.revokedAt, null);
      assert.equal((await sessions.findSession(ids[1]!))?.revokedAt, null);
    });

    it('scopes every API key operation by owner', async () => {
      const apiKeys = createApiKeysRepository(database.db);
      const owner = await makeUser('key-owner');
      const stranger = await makeUser('key-stranger');
      const key = await apiKeys.create({ id: newId(), userId: owner.id, name: 'k', keyHash: `kh-${newId()}`, keyPrefix: 'sk-abcd', keyLast4: 'wxyz', permissionLevel: null, createdAt: now() });
      assert.equal((await apiKeys.listForUser(owner.id)).length, 1);
      assert.equal((await apiKeys.listForUser(stranger.id)).length, 0);
      assert.equal(await apiKeys.findForUser(stranger.id, key.id), undefined);
      assert.equal(await apiKeys.setActive(stranger.id, key.id, false, now()), undefined);
      assert.equal((await apiKeys.findForUser(owner.id, key.id))?.isActive, true, "a stranger's deactivate changed nothing");
      await apiKeys.touch(stranger.id, key.id, now());
      assert.equal((await apiKeys.findForUser(owner.id, key.id))?.lastUsedAt, null, "a stranger's touch changed nothing");
      await apiKeys.touch(owner.id, key.id, now());
      assert.notEqual((await apiKeys.findForUser(owner.id, key.id))?.lastUsedAt, null);
      assert.equal(await apiKeys.delete(stranger.id, key.id), false);
      assert.equal((await apiKeys.setActive(owner.id, key.id, false, now()))?.isActive, false);
      assert.equal(await apiKeys.delete(owner.id, key.id), true);
    });

    it('appends and filters audit rows', async () => {
      const audit = createAuditRepository(database.db);
      const actor = newId();
      for (const action of ['auth.login', 'auth.logout', 'auth.login']) {
        await audit.append({ id: newId(), at: now(), actorUserId: actor, actorApiKeyId: null, action, targetType: null, targetId: null, result: 'success', ip: '::1', requestId: 'r', details: null });
      }
      const logins = await audit.listRecent(10, { action: 'auth.login', actorUserId: actor });
      assert.equal(logins.length, 2);
      assert.ok(logins[0]!.id > logins[1]!.id, 'newest first');
    });
  });
}
