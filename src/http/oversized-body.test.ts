import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { testDatabases } from '../../test/support/databases.ts';
import { createTestApp, signUp, type TestApp } from '../../test/support/test-app.ts';
import { uploadBodyLimit } from './attachments/attachment-routes.ts';

const limit = 64 * 1024;
const maxFileBytes = 100 * 1024;
const attachmentLimit = uploadBodyLimit(maxFileBytes, limit);

/** node:http as most server-side clients use it: the whole body written, then the answer read. */
function postWithNodeHttp(port: number, path: string, body: Buffer, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1', port, method: 'POST', path,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), authorization: `Bearer ${token}` },
    });
    // Done when the request is over: a write that fails because the server closed the socket
    // under it (EPIPE, ECONNRESET) fails the request, as it does in most clients (curl, requests).
    let answer: { status: number; body: any } | undefined;
    let failure: Error | undefined;
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => (answer = { status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    request.on('error', (error) => (failure = error));
    request.on('close', () => (failure || !answer ? reject(failure ?? new Error('no answer')) : resolve(answer)));
    request.end(body);
  });
}

const oversized = (bytes: number) => Buffer.from(JSON.stringify({ username: 'someone', password: 'x', conversation_id: 'c', content: 'X'.repeat(bytes) }));

describe('a body over the limit gets its 413 and the message naming the limit, never a reset', () => {
  let test: TestApp;
  let baseUrl: string;
  let port: number;
  let token: string;
  before(async () => {
    test = await createTestApp(await testDatabases()[0]!.open(), { env: { COLLOQUY_BODY_LIMIT: String(limit), COLLOQUY_MAX_FILE_BYTES: String(maxFileBytes) } });
    await test.app.listen({ host: '127.0.0.1', port: 0 });
    port = (test.app.server.address() as AddressInfo).port;
    baseUrl = `http://127.0.0.1:${port}`;
    token = (await signUp(test.app)).token;
  });
  after(() => test.close());

  for (const times of [2, 10, 100]) {
    it(`at ${times}× the limit: plain fetch and node:http on /api/auth/login and /api/messages`, async () => {
      for (const path of ['/api/auth/login', '/api/messages']) {
        const body = oversized(limit * times);
        const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
        assert.equal(response.status, 413, path);
        assert.match(((await response.json()) as { message: string }).message, new RegExp(`larger than ${limit} bytes.*COLLOQUY_BODY_LIMIT`), path);
        const viaNode = await postWithNodeHttp(port, path, body, token);
        assert.equal(viaNode.status, 413, path);
        assert.match(viaNode.body.message, new RegExp(`larger than ${limit} bytes`), path);
      }
    });

    it(`at ${times}× the limit: the openai SDK on /v1/chat/completions`, async () => {
      const client = new OpenAI({ apiKey: token, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
      await assert.rejects(
        client.chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'X'.repeat(limit * times) }] }),
        (error: any) => error.status === 413 && new RegExp(`larger than ${limit} bytes`).test(error.message),
      );
    });

    it(`at ${times}× its own limit: POST /api/chat/attachments`, async () => {
      const body = Buffer.from(JSON.stringify({ filename: 'big.txt', data: 'A'.repeat(attachmentLimit * times) }));
      const viaNode = await postWithNodeHttp(port, '/api/chat/attachments', body, token);
      assert.equal(viaNode.status, 413);
      assert.match(viaNode.body.message, new RegExp(`larger than ${attachmentLimit} bytes`));
    });
  }

  it('keeps serving on the same connection after a drained refusal', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const body = oversized(limit * 3);
        const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/auth/login', agent, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
        request.on('response', (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, socket: request.socket }));
        });
        request.on('error', reject);
        request.end(body);
      });
      assert.equal(first.status, 413);
      const second = await new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port, path: '/api/health', agent });
        request.on('response', (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, socket: request.socket }));
        });
        request.on('error', reject);
        request.end();
      });
      assert.equal(second.status, 200);
    } finally {
      agent.destroy();
    }
  });
});
