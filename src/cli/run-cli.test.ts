import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/colloquy.js');
// The launcher builds its bundle here, not in the checkout's dist/ (tests never write into the checkout).
const bundleDirectory = path.join(mkdtempSync(path.join(tmpdir(), 'colloquy-cli-bundle-')), 'dist');

/** Runs the real `colloquy` binary with only the settings a user would give. */
function environmentFor(dataDir: string, extra: Record<string, string> = {}) {
  return { PATH: process.env.PATH ?? '', HOME: dataDir, COLLOQUY_DATA_DIR: dataDir, COLLOQUY_BUNDLE_DIR: bundleDirectory, LOG_LEVEL: 'info', ...extra };
}

/** When the checkout's bundle was last written (undefined when there is none). */
const checkoutBundleStamp = () => statSync(path.join(root, 'dist', 'build-stamp.json'), { throwIfNoEntry: false })?.mtimeMs;

describe('colloquy command', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colloquy-cli-'));
  const stampBefore = checkoutBundleStamp();
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(path.dirname(bundleDirectory), { recursive: true, force: true });
  });

  it('builds its bundle in COLLOQUY_BUNDLE_DIR and leaves the checkout alone', () => {
    const migrate = spawnSync(process.execPath, [bin, 'migrate'], { env: environmentFor(dataDir), encoding: 'utf8' });
    assert.equal(migrate.status, 0, migrate.stderr);
    assert.doesNotMatch(migrate.stderr, /running from the sources/);
    assert.ok(existsSync(path.join(bundleDirectory, 'colloquy.mjs')), 'the bundle is in COLLOQUY_BUNDLE_DIR');
    assert.equal(checkoutBundleStamp(), stampBefore, "the checkout's dist/ was not written");
  });

  it('migrates, creates an admin from stdin, and refuses a duplicate', () => {
    const migrate = spawnSync(process.execPath, [bin, 'migrate'], { env: environmentFor(dataDir), encoding: 'utf8' });
    assert.equal(migrate.status, 0, migrate.stderr);
    assert.match(migrate.stdout, /up to date \(sqlite\)/);
    const create = spawnSync(process.execPath, [bin, 'create-admin', '--username', 'root', '--password-stdin'], {
      env: environmentFor(dataDir),
      input: 'an admin passphrase\n',
      encoding: 'utf8',
    });
    assert.equal(create.status, 0, create.stderr);
    assert.match(create.stdout, /Created admin root/);
    const again = spawnSync(process.execPath, [bin, 'create-admin', '--username', 'root', '--password', 'another passphrase'], {
      env: environmentFor(dataDir),
      encoding: 'utf8',
    });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already taken/);
  });

  it('stops at start with a message naming an invalid setting', () => {
    const result = spawnSync(process.execPath, [bin, 'serve'], {
      env: environmentFor(dataDir, { COLLOQUY_JWT_SECRET: 'short' }),
      encoding: 'utf8',
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /COLLOQUY_JWT_SECRET/);
    assert.match(result.stderr, /32 bytes/);
  });

  it('serves, lets the created admin log in, and shuts down on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: environmentFor(dataDir, { PORT: '0', HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`no listening line in: ${output}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      const health = await fetch(`${address}/api/health`);
      assert.equal(health.status, 200);
      const login = await fetch(`${address}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'root', password: 'an admin passphrase' }),
      });
      assert.equal(login.status, 200);
      const body = (await login.json()) as { data: { user: { role: string; permission_level: number } } };
      assert.equal(body.data.user.role, 'admin');
      assert.equal(body.data.user.permission_level, 4);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
  });
});
