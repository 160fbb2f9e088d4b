import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSecret } from '../auth/secrets.ts';
import { openDatabase } from '../storage/database.ts';
import { bearer, createTestApp, json } from '../../test/support/test-app.ts';
import { redactUrl } from './logger.ts';

describe('secrets in logs', () => {
  it('redacts credential query parameters from URLs', () => {
    assert.equal(redactUrl('/ws/chat?session_id=1&api_key=sk-secret&x=2'), '/ws/chat?session_id=1&api_key=[REDACTED]&x=2');
    assert.equal(redactUrl('/a?token=abc'), '/a?token=[REDACTED]');
  });

  it('a canary password and a canary key never reach the log output', async () => {
    const harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), { env: { LOG_LEVEL: 'trace' } });
    const canaryPassword = 'CANARY-PASSWORD-7f3a9c';
    const canaryKey = 'sk-CANARYKEY0000000000000000000000000042';
    try {
      const { app, dependencies } = harness;
      const register = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { username: 'canary', password: canaryPassword } });
      assert.equal(register.statusCode, 200);
      const userId = json(register).data.id;
      await dependencies.repositories.apiKeys.create({
        id: dependencies.newId(),
        userId,
        name: 'canary',
        keyHash: hashSecret(canaryKey),
        keyPrefix: canaryKey.slice(0, 7),
        keyLast4: canaryKey.slice(-4),
        permissionLevel: null,
        createdAt: new Date().toISOString(),
      });

      await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'canary', password: `${canaryPassword}-wrong` } });
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'canary', password: canaryPassword } });
      const tokens = json(login).data;
      assert.equal((await app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(canaryKey) })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': canaryKey } })).statusCode, 200);
      await app.inject({ method: 'GET', url: `/api/auth/me?api_key=${canaryKey}&token=${tokens.token}` });
      await app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(`${canaryKey}-revoked`) });
      await app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
      await app.inject({ method: 'POST', url: '/api/auth/change-password', headers: bearer(tokens.token), payload: { currentPassword: canaryPassword, newPassword: canaryPassword.slice(0, 6) } });
      await app.inject({ method: 'POST', url: '/api/auth/register', payload: { username: 'x', password: canaryPassword } });

      const output = harness.logs.join('');
      assert.ok(output.length > 1000, 'the app logged the requests');
      for (const secret of [canaryPassword, canaryKey, canaryKey.slice(3, 30), tokens.token, tokens.refreshToken]) {
        assert.equal(output.includes(secret), false, `log output contains ${secret.slice(0, 12)}…`);
      }
    } finally {
      await harness.close();
    }
  });
});
