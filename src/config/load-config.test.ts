import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, parseConfig, resolveConfig } from './load-config.ts';

describe('configuration', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'colloquy-config-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('serves on 8080 with SQLite under ./data when nothing is set', () => {
    const config = resolveConfig(parseConfig({}, directory), directory);
    assert.equal(config.server.port, 8080);
    assert.equal(config.dataDir, path.join(directory, 'data'));
    assert.deepEqual(config.databaseTarget, { dialect: 'sqlite', path: path.join(directory, 'data', 'colloquy.db') });
    assert.equal(config.auth.accessTokenTtlSeconds, 3600);
    assert.equal(config.auth.registration, 'open');
  });

  it('generates the JWT secret and encryption key once, mode 0600, and reuses them', () => {
    const first = resolveConfig(parseConfig({}, directory), directory);
    const second = resolveConfig(parseConfig({}, directory), directory);
    assert.equal(first.auth.jwtSecret, second.auth.jwtSecret);
    assert.notEqual(first.auth.jwtSecret, first.auth.encryptionKey);
    assert.ok(Buffer.byteLength(first.auth.jwtSecret) >= 32);
    for (const name of ['jwt-secret', 'encryption-key']) {
      const file = path.join(directory, 'data', 'secrets', name);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(readFileSync(file, 'utf8'), name === 'jwt-secret' ? first.auth.jwtSecret : first.auth.encryptionKey);
    }
  });

  it('refuses a given secret shorter than 32 bytes, naming the setting', () => {
    assert.throws(
      () => parseConfig({ COLLOQUY_JWT_SECRET: 'too-short' }, directory),
      (error: unknown) =>
        error instanceof ConfigError && /auth\.jwtSecret \(COLLOQUY_JWT_SECRET\)/.test(error.message) && /32 bytes/.test(error.message),
    );
    assert.throws(() => parseConfig({ COLLOQUY_ENCRYPTION_KEY: 'x'.repeat(31) }, directory), /COLLOQUY_ENCRYPTION_KEY/);
  });

  it('names the setting for any invalid value', () => {
    assert.throws(() => parseConfig({ PORT: 'eighty' }, directory), /server\.port \(PORT\)/);
    assert.throws(() => parseConfig({ COLLOQUY_REGISTRATION: 'sometimes' }, directory), /auth\.registration \(COLLOQUY_REGISTRATION\)/);
    assert.throws(() => parseConfig({ DATABASE_URL: 'mysql://x' }, directory), /database\.url \(DATABASE_URL\)/);
    assert.throws(() => parseConfig({ COLLOQUY_TRUST_PROXY: 'maybe' }, directory), /server\.trustProxy/);
  });

  it('switches to PostgreSQL with DATABASE_URL', () => {
    const config = resolveConfig(parseConfig({ DATABASE_URL: 'postgres://u@db:5432/colloquy' }, directory), directory);
    assert.deepEqual(config.databaseTarget, { dialect: 'postgres', url: 'postgres://u@db:5432/colloquy' });
  });

  it('reads a config file, with the environment taking precedence', () => {
    const file = path.join(directory, 'settings.json');
    writeFileSync(file, JSON.stringify({ server: { port: 9000, host: '127.0.0.1' }, auth: { registration: 'closed' }, cors: { origins: ['*'] } }));
    const config = parseConfig({ COLLOQUY_CONFIG: file, PORT: '9100' }, directory);
    assert.equal(config.server.port, 9100);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.auth.registration, 'closed');
    assert.deepEqual(config.cors.origins, ['*']);
  });

  it('reports a broken or missing config file clearly', () => {
    const file = path.join(directory, 'broken.json');
    writeFileSync(file, '{ not json');
    assert.throws(() => parseConfig({ COLLOQUY_CONFIG: file }, directory), /not valid JSON/);
    assert.throws(() => parseConfig({ COLLOQUY_CONFIG: path.join(directory, 'missing.json') }, directory), /file not found/);
  });

  it('splits comma-separated CORS origins', () => {
    const config = parseConfig({ COLLOQUY_CORS_ORIGINS: 'https://a.example, https://b.example' }, directory);
    assert.deepEqual(config.cors.origins, ['https://a.example', 'https://b.example']);
  });
});
