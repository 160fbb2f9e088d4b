import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSse } from '../../test/support/chat-harness.ts';
import { answer, startFakeUpstream, text, type FakeUpstream } from '../../test/support/fake-upstream/index.ts';
import { freePort, projectRoot } from '../../test/support/spawned-server.ts';

function requestJson(url: string, method: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(url, {
      method,
      headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    request.end(payload);
  });
}

async function waitUntilServing(baseUrl: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await requestJson(`${baseUrl}/api/health`, 'GET')).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not start');
}

/**
 * The real thing: `colloquy serve` as a child process on embedded storage, killed with SIGKILL in
 * the middle of an answer, then started again on the same data folder.
 */
describe('a server killed mid-turn', () => {
  let fake: FakeUpstream;
  let dataDir: string;
  let child: ChildProcess | undefined;
  let baseUrl: string;
  let environment: Record<string, string>;

  const start = async () => {
    child = spawn(process.execPath, ['bin/colloquy.js', 'serve'], { cwd: projectRoot, env: environment, stdio: ['ignore', 'ignore', 'pipe'] });
    await waitUntilServing(baseUrl, child);
  };

  before(async () => {
    fake = await startFakeUpstream();
    dataDir = mkdtempSync(path.join(tmpdir(), 'colloquy-kill-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    environment = {
      HOST: '127.0.0.1',
      PORT: String(port),
      COLLOQUY_DATA_DIR: dataDir,
      COLLOQUY_OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
      COLLOQUY_FLUSH_INTERVAL_MS: '50',
      LOG_LEVEL: 'warn',
      // Straight from the sources: no bundle is built into the checkout (the bundle has its own test).
      COLLOQUY_NO_BUNDLE: '1',
    };
  });
  after(async () => {
    child?.kill('SIGKILL');
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts with the partial answer kept and marked incomplete, and chats on', async () => {
    await start();
    await requestJson(`${baseUrl}/api/auth/register`, 'POST', { username: 'survivor', email: 'survivor@example.test', password: 'long enough password' });
    const login = await requestJson(`${baseUrl}/api/auth/login`, 'POST', { username: 'survivor', password: 'long enough password' });
    const token = login.body.data.token as string;
    const provider = await requestJson(`${baseUrl}/api/providers`, 'POST', {
      name: 'Fake', provider_type: 'openai', base_url: fake.openaiBaseUrl, api_key: 'sk-fake-key-000000000000', default_model: 'fake-model',
    }, token);
    assert.equal(provider.status, 200, JSON.stringify(provider.body));
    const conversation = await requestJson(`${baseUrl}/api/conversations`, 'POST', { title: 'Crash test' }, token);
    const conversationId = conversation.body.data.id as string;

    const gate = fake.gate();
    fake.script(answer([text('Words written before the crash'), gate, text(' and never after.')]));
    const connection = await openSse(`${baseUrl}/api/messages/stream`, {
      headers: { authorization: `Bearer ${token}` }, body: { conversation_id: conversationId, content: 'Start talking' },
    });
    const messageId = String(connection.headers['x-message-id']);
    await gate.reached;
    // Wait until the partial answer has been flushed (the flush interval is 50 ms).
    for (let waited = 0; waited < 3000; waited += 50) {
      const listed = await requestJson(`${baseUrl}/api/messages?conversation_id=${conversationId}`, 'GET', undefined, token);
      if (listed.body.data.messages.find((message: any) => message.id === messageId)?.content) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child!.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    gate.release();

    await start();
    const listed = await requestJson(`${baseUrl}/api/messages?conversation_id=${conversationId}`, 'GET', undefined, token);
    const stored = listed.body.data.messages.find((message: any) => message.id === messageId);
    assert.deepEqual([stored.status, stored.content], ['incomplete', 'Words written before the crash']);
    assert.match(stored.error, /server stopped/);
    assert.deepEqual(stored.process_steps, [{ id: 'step-0', index: 0, type: 'text', content: 'Words written before the crash' }]);

    // The restarted server answers the next turn in full.
    fake.script(answer([text('Back again.')]));
    const frames = await (await openSse(`${baseUrl}/api/messages/stream`, {
      headers: { authorization: `Bearer ${token}` }, body: { conversation_id: conversationId, content: 'Are you there?' },
    })).ended;
    assert.equal(frames.at(-1)!.event, 'done');
    const after = await requestJson(`${baseUrl}/api/messages?conversation_id=${conversationId}`, 'GET', undefined, token);
    assert.deepEqual(after.body.data.messages.map((message: any) => message.status), ['complete', 'incomplete', 'complete', 'complete']);
  });
});
