import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
// @ts-expect-error: plain JavaScript build script, no type declarations
import { build, isBuildCurrent, root } from '../../scripts/build.mjs';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The bundle bin/colloquy.js starts from: built, started, and answering like the sources do. */
describe('the esbuild bundle', () => {
  // Outside the checkout (tests never write into it): the build links node_modules into the
  // folder, so the packages left out of the bundle still resolve.
  const bundleParent = mkdtempSync(path.join(os.tmpdir(), 'colloquy-bundle-'));
  const outDirectory = path.join(bundleParent, 'dist');
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'colloquy-bundle-data-'));
  let server: ChildProcess;
  let origin: string;

  before(async () => {
    await build({ outDirectory });
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [path.join(outDirectory, 'colloquy.mjs'), 'serve'], {
      env: {
        PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', COLLOQUY_DATA_DIR: dataDirectory,
        COLLOQUY_JWT_SECRET: randomBytes(32).toString('hex'), COLLOQUY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    server.stderr!.on('data', (chunk) => (errors += chunk));
    for (let tries = 0; ; tries += 1) {
      const health = await fetch(`${origin}/api/health`).catch(() => undefined);
      if (health?.status === 200) break;
      if (tries > 300 || server.exitCode !== null) throw new Error(`the bundled server did not start: ${errors}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  after(() => {
    server?.kill();
    rmSync(bundleParent, { recursive: true, force: true });
    rmSync(dataDirectory, { recursive: true, force: true });
    assert.ok(existsSync(path.join(root, 'node_modules', 'fastify')), 'removing the bundle left the linked node_modules alone');
  });

  it('holds the server, the Python worker and the files they load by path, stamped with the sources', () => {
    for (const file of ['colloquy.mjs', 'python-worker.mjs', 'python-worker-bootstrap.mjs', 'grep-worker.mjs', 'token-count-worker.mjs']) {
      assert.ok(existsSync(path.join(outDirectory, file)), file);
    }
    assert.equal(isBuildCurrent(outDirectory), true);
  });

  it('registers, logs in (native argon2) and serves the OpenAPI document (Swagger, left out of the bundle)', async () => {
    const account = { username: 'bundled', email: 'bundled@example.com', password: 'correct horse battery staple' };
    const registered = await fetch(`${origin}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
    assert.equal(registered.status, 200, await registered.clone().text());
    const login = await fetch(`${origin}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: account.username, password: account.password }),
    });
    assert.equal(login.status, 200);
    assert.ok(((await login.json()) as { data: { token: string } }).data.token);
    const openApi = await fetch(`${origin}/api/docs/json`);
    assert.equal(openApi.status, 200);
    assert.ok(((await openApi.json()) as { paths: object }).paths);
  });

  it('serves ReDoc from node_modules and reports package.json’s version (both resolved from dist/)', async () => {
    const page = await (await fetch(`${origin}/api/redoc`)).text();
    const scriptUrl = /<script[^>]*\bsrc="(\/[^"]+)"/.exec(page)?.[1];
    assert.ok(scriptUrl, page);
    const script = await fetch(`${origin}${scriptUrl}`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type')!, /^text\/javascript/);
    assert.ok((await script.arrayBuffer()).byteLength > 100_000);
    const document = (await (await fetch(`${origin}/api/openapi.json`)).json()) as { info: { version: string } };
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(document.info.version, version);
  });
});
