import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, json, signUp, type TestApp } from '../../test/support/test-app.ts';
import type { DiagnosticLog } from '../diagnostics.ts';
import { openDatabase } from '../storage/database.ts';
import { guestPasswordHash } from './guest-accounts.ts';
import { createPasswordHasher } from './passwords.ts';

function collectingLog() {
  const entries: Array<{ level: string; details: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (details: object, message: string) => entries.push({ level, details: details as Record<string, unknown>, message });
  const log: DiagnosticLog = { info: at('info'), warn: at('warn'), error: at('error') };
  return { log, entries };
}

const cost = { memoryKib: 1024, iterations: 1 };
const secret = 'the secret passphrase';

describe('password hasher', () => {
  it('verifies a right and a wrong password without logging anything', async () => {
    const { log, entries } = collectingLog();
    const hasher = createPasswordHasher(cost, log);
    const stored = await hasher.hash(secret);
    assert.equal(await hasher.verify(stored, secret, { userId: 'u1' }), true);
    assert.equal(await hasher.verify(stored, 'something else', { userId: 'u1' }), false);
    assert.deepEqual(entries, []);
  });

  it('treats a corrupt stored hash as a mismatch and logs it with the user id, never the password', async () => {
    const { log, entries } = collectingLog();
    const hasher = createPasswordHasher(cost, log);
    const stored = await hasher.hash(secret);
    const corrupt = `${stored.slice(0, 20)}#not-base64#`;
    assert.equal(await hasher.verify(corrupt, secret, { userId: 'u-corrupt' }), false);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.level, 'error');
    assert.equal(entries[0]!.details.userId, 'u-corrupt');
    assert.ok(entries[0]!.details.err instanceof Error, 'the error itself is logged');
    assert.doesNotMatch(JSON.stringify(entries, (_key, value) => (value instanceof Error ? String(value) : value)), /secret passphrase/);
  });

  it('does not log the guest accounts’ no-password marker, which never verifies', async () => {
    const { log, entries } = collectingLog();
    const hasher = createPasswordHasher(cost, log);
    assert.equal(await hasher.verify(guestPasswordHash, secret, { userId: 'u-guest' }), false);
    assert.deepEqual(entries, []);
  });
});

describe('login with a corrupt stored hash', () => {
  let harness: TestApp;
  before(async () => {
    harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }));
  });
  after(() => harness.close());

  it('answers 401, not 500, and logs the failure with the user id', async () => {
    const user = await signUp(harness.app, { password: secret });
    await harness.dependencies.database.db.updateTable('users').set({ passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$broken' }).where('id', '=', user.id).execute();
    const before = harness.logs.length;
    const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: secret } });
    assert.equal(login.statusCode, 401, login.body);
    assert.equal(json(login).code, 'UNAUTHORIZED');
    const lines = harness.logs.slice(before).filter((line) => line.includes('password hash could not be verified'));
    assert.equal(lines.length, 1, harness.logs.slice(before).join(''));
    assert.equal(JSON.parse(lines[0]!).userId, user.id);
    assert.doesNotMatch(harness.logs.slice(before).join(''), /secret passphrase/);
  });
});
