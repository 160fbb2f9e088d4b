import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { createTestApp, type TestApp } from '../../test/support/test-app.ts';
import { createAdmin } from '../cli/ensure-admin.ts';
import { AppError } from '../errors/app-error.ts';
import type { User } from '../storage/repositories/users-repository.ts';
import type { RequestContext } from './principal.ts';
import type { UserChanges } from './user-admin-service.ts';

const rounds = 20;

for (const database of testDatabases()) {
  describe(`last-admin guard under concurrency (${database.name})`, () => {
    let harness: TestApp;
    let admins: [User, User];
    before(async () => {
      harness = await createTestApp(await database.open(), { env: { COLLOQUY_REGISTRATION: 'closed' } });
      admins = [
        await createAdmin(harness.dependencies, { username: 'admin-a', password: 'admin passphrase' }),
        await createAdmin(harness.dependencies, { username: 'admin-b', password: 'admin passphrase' }),
      ];
    });
    after(() => harness.close());

    const contextOf = (user: User): RequestContext => ({
      ip: '127.0.0.1',
      requestId: `test-${user.id}`,
      principal: { user, credential: 'access_token', permissionLevel: 4, isAdmin: true },
    });
    const activeAdmins = () => harness.dependencies.repositories.users.countActiveAdmins();

    for (const [label, change] of [['demote', { role: 'user' }], ['deactivate', { isActive: false }]] as Array<[string, UserChanges]>) {
      it(`lets exactly one of two admins who ${label} each other at once succeed, ${rounds} times over`, async () => {
        const { userAdmin } = harness.dependencies.services;
        for (let round = 0; round < rounds; round += 1) {
          const [a, b] = admins;
          const results = await Promise.allSettled([
            userAdmin.update(contextOf(a), b.id, change),
            userAdmin.update(contextOf(b), a.id, change),
          ]);
          const succeeded = results.filter((result) => result.status === 'fulfilled').length;
          const refusals = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
          assert.equal(succeeded, 1, `round ${round}: ${refusals.map(String).join('; ')}`);
          assert.ok(refusals.every((error) => error instanceof AppError && error.code === 'CONFLICT' && /last active admin/.test(error.message)), String(refusals[0]));
          assert.equal(await activeAdmins(), 1, `round ${round}: one admin remains`);
          // The remaining admin restores the other for the next round.
          const keeper = results[0]!.status === 'fulfilled' ? a : b;
          const other = keeper === a ? b : a;
          await userAdmin.update(contextOf(keeper), other.id, { role: 'admin', isActive: true });
          assert.equal(await activeAdmins(), 2);
        }
      });
    }
  });
}
