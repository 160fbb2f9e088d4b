import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callJson, spawnServer } from '../../test/support/spawned-server.ts';

describe('a server whose log reader has gone', () => {
  const logABit = async (baseUrl: string) => {
    for (let index = 0; index < 300; index += 1) {
      assert.equal((await callJson(baseUrl, 'GET', '/api/health')).status, 200);
      await callJson(baseUrl, 'POST', '/api/auth/login', { username: 'nobody', password: 'wrong password' });
    }
  };

  /** Starts a server, lets `loseReader` take its log reader away, logs, and expects SIGTERM to end it within 8 s. */
  const exitsAfterSigterm = async (loseReader: (stdout: NodeJS.ReadableStream & { destroy(): void }) => void) => {
    const server = await spawnServer({ env: { LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      loseReader(server.child.stdout!);
      await logABit(server.baseUrl);
      const started = Date.now();
      server.child.kill('SIGTERM');
      const outcome = await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 8000))]);
      assert.notEqual(outcome, 'still running', `the server was still running 8 s after SIGTERM: ${server.stderr()}`);
      assert.ok(Date.now() - started < 8000);
    } finally {
      await server.close();
    }
  };

  it('still exits within a few seconds of SIGTERM when the reader stopped reading (the pipe is full)', async () => {
    // Nobody reads: once the pipe's buffer is full, every write would wait for a reader.
    await exitsAfterSigterm((stdout) => stdout.pause());
  });

  it('still exits within a few seconds of SIGTERM when the reader closed the pipe', async () => {
    // The reader goes away: every later log line meets a pipe nobody reads.
    await exitsAfterSigterm((stdout) => stdout.destroy());
  });

  it('writes its log lines, start-up and shutdown included, to a reader that reads', async () => {
    const server = await spawnServer({ env: { LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.child.stdout!.setEncoding('utf8');
    server.child.stdout!.on('data', (chunk: string) => (output += chunk));
    try {
      await callJson(server.baseUrl, 'GET', '/api/health');
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      const messages = output.trim().split('\n').map((line) => JSON.parse(line).msg as string);
      assert.ok(messages.some((message) => message.startsWith('Colloquy listening on')), messages.join(' | '));
      assert.ok(messages.includes('shutting down'), messages.join(' | '));
    } finally {
      await server.close();
    }
  });
});
