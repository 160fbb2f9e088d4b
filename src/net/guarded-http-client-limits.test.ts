import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createGuardedHttpClient, isOutboundTimeout } from './guarded-http-client.ts';
import { startLoopbackTestServer } from './loopback-test-server.ts';
import { testSettings } from './test-settings.ts';

const allowLoopback = { allowHosts: ['127.0.0.1'] };

function isTooLarge(error: unknown): boolean {
  assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
  assert.equal(error.code, 'OUTBOUND_BLOCKED');
  assert.match(error.message, /is larger than the 1024-byte limit/);
  return true;
}

describe('guarded HTTP client: caps, timeouts and streaming', () => {
  it('errors the body once more than maxResponseBytes arrive, and refuses a larger Content-Length up front', async () => {
    const server = await startLoopbackTestServer((request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-length': '5000' });
        return void response.end(request.method === 'HEAD' ? undefined : 'x'.repeat(5000));
      }
      const size = request.url === '/exact' ? 1024 : 3000;
      // Chunked, with no Content-Length, so only counting can catch it.
      response.write('x'.repeat(512));
      response.end('x'.repeat(size - 512));
    });
    const client = createGuardedHttpClient(testSettings({ ...allowLoopback, maxResponseBytes: 1024 }));
    try {
      const response = await client.fetch(`${server.origin}/chunked`);
      assert.equal(response.status, 200);
      await assert.rejects(response.text(), isTooLarge);
      await assert.rejects(client.fetch(`${server.origin}/declared`), isTooLarge);
      // A HEAD answer states the length of a body it does not send.
      assert.equal((await client.fetch(`${server.origin}/declared`, { method: 'HEAD' })).status, 200);
      assert.equal((await (await client.fetch(`${server.origin}/exact`)).text()).length, 1024);
      const roomier = client.fetchWith({ maxResponseBytes: 10_000 });
      assert.equal((await (await roomier(`${server.origin}/declared`)).text()).length, 5000);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('gives up on a server that never sends headers, with an error isOutboundTimeout recognises', async () => {
    const server = await startLoopbackTestServer(() => undefined);
    const client = createGuardedHttpClient(testSettings({ ...allowLoopback, headersTimeoutMs: 150 }));
    try {
      const started = Date.now();
      await assert.rejects(client.fetch(`${server.origin}/`), (error: unknown) => {
        assert.ok(error instanceof TypeError && error.message === 'fetch failed');
        assert.equal((error.cause as { code?: string }).code, 'UND_ERR_HEADERS_TIMEOUT');
        assert.equal(isOutboundTimeout(error), true);
        return true;
      });
      assert.ok(Date.now() - started < 1500);
      const patient = client.fetchWith({ headersTimeoutMs: 400 });
      const patientStart = Date.now();
      await assert.rejects(patient(`${server.origin}/`), (error: unknown) => isOutboundTimeout(error));
      assert.ok(Date.now() - patientStart >= 350, 'the per-call headers timeout replaces the default');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('gives up on a connection that cannot be made in time', async () => {
    // A resolver that never answers stands in for a host that never accepts: the connect
    // timeout covers DNS too.
    const client = createGuardedHttpClient(
      testSettings({ allowHosts: ['stuck.example'], connectTimeoutMs: 100, lookup: () => new Promise(() => undefined) }),
    );
    // undici's timers do not hold the process open (a server's listening socket does); with no
    // socket made yet, this one stands in for it.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await assert.rejects(client.fetch('http://stuck.example/'), (error: unknown) => isOutboundTimeout(error));
      assert.equal(isOutboundTimeout(new Error('other')), false);
    } finally {
      clearInterval(keepAlive);
      await client.close();
    }
  });

  it('streams a body as it is sent, and the caller aborting closes the socket', async () => {
    let releaseSecondEvent = () => {};
    const secondEventAllowed = new Promise<void>((resolve) => (releaseSecondEvent = resolve));
    const server = await startLoopbackTestServer(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      await secondEventAllowed;
      response.write('data: second\n\n');
      // Never ends: only the client's abort finishes this exchange.
    });
    const client = createGuardedHttpClient(testSettings(allowLoopback));
    const controller = new AbortController();
    try {
      const response = await client.fetch(`${server.origin}/events`, { signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      // The server has not finished (it waits on us), so this chunk can only come from streaming.
      const first = await reader.read();
      assert.equal(decoder.decode(first.value), 'data: first\n\n');
      releaseSecondEvent();
      assert.equal(decoder.decode((await reader.read()).value), 'data: second\n\n');
      const closed = server.firstSocketClosed();
      controller.abort();
      await closed;
      await assert.rejects(reader.read(), (error: unknown) => error instanceof Error && error.name === 'AbortError');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('aborts a request still waiting for headers', async () => {
    const server = await startLoopbackTestServer(() => undefined);
    const client = createGuardedHttpClient(testSettings(allowLoopback));
    try {
      const controller = new AbortController();
      const pending = client.fetch(`${server.origin}/`, { signal: controller.signal });
      while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const closed = server.firstSocketClosed();
      controller.abort();
      await assert.rejects(pending, (error: unknown) => error instanceof Error && error.name === 'AbortError');
      await closed;
    } finally {
      await client.close();
      await server.close();
    }
  });
});
