import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createGuardedHttpClient } from './guarded-http-client.ts';
import { startLoopbackTestServer, type LoopbackTestServer } from './loopback-test-server.ts';
import { testSettings } from './test-settings.ts';

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

describe('guarded HTTP client: redirects', () => {
  let target: LoopbackTestServer;
  let redirector: LoopbackTestServer;
  const bodies: string[] = [];

  before(async () => {
    target = await startLoopbackTestServer(async (request, response) => {
      bodies.push(await readBody(request));
      response.end(`target got ${request.method}`);
    });
    redirector = await startLoopbackTestServer(async (request, response) => {
      await readBody(request);
      const url = new URL(request.url ?? '/', 'http://x');
      const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
      if (hop) {
        const remaining = Number(hop[1]);
        if (remaining === 0) return void response.end('end of chain');
        return void response.writeHead(302, { location: `/hop/${remaining - 1}` }).end();
      }
      const status = Number(url.searchParams.get('status') ?? 302);
      const location = url.searchParams.get('to') ?? `${target.origin}/landed`;
      response.writeHead(status, { location }).end('moved');
    });
  });
  after(async () => {
    await target.close();
    await redirector.close();
  });

  it('refuses a redirect from an allowed host to a private address, without connecting to it', async () => {
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['public.example'] }));
    try {
      const start = `http://public.example:${redirector.port}/go?to=${encodeURIComponent(`${target.origin}/secret`)}`;
      await assert.rejects(client.fetch(start), (error: unknown) => {
        assert.ok(error instanceof AppError && error.code === 'OUTBOUND_BLOCKED');
        assert.match(error.message, new RegExp(`refused to connect to 127\\.0\\.0\\.1 \\(loopback address\\) for ${target.origin}/secret \\(redirected from http://public\\.example:${redirector.port}/go\\)`));
        return true;
      });
      assert.equal(redirector.requests.length, 1);
      assert.equal(target.connectionCount, 0);
      // A redirect to a name that resolves privately is refused at connect time in the same way.
      await assert.rejects(client.fetch(`http://public.example:${redirector.port}/go?to=${encodeURIComponent('http://ten.example/')}`), /10\.0\.0\.1 \(private address\)/);
      await assert.rejects(client.fetch(`http://public.example:${redirector.port}/go?to=${encodeURIComponent('file:///etc/passwd')}`), /only http: and https:/);
    } finally {
      await client.close();
    }
  });

  it('follows at most maxRedirects hops', async () => {
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.1'] }));
    try {
      const response = await client.fetch(`${redirector.origin}/hop/5`);
      assert.equal(await response.text(), 'end of chain');
      assert.equal(response.redirected, true);
      assert.equal(response.url, `${redirector.origin}/hop/0`);
      const before = redirector.requests.length;
      await assert.rejects(client.fetch(`${redirector.origin}/hop/6`), (error: unknown) => {
        assert.ok(error instanceof AppError && error.code === 'OUTBOUND_BLOCKED');
        assert.match(error.message, /too many redirects \(more than 5\)/);
        return true;
      });
      assert.equal(redirector.requests.length - before, 6, 'the sixth redirect is not followed');
      await assert.rejects(client.fetchWith({ maxRedirects: 0 })(`${redirector.origin}/hop/1`), /more than 0/);
    } finally {
      await client.close();
    }
  });

  it('turns 303, and 301/302 after a POST, into a GET without body; 307 and 308 keep both', async () => {
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.0/8'] }));
    const post = (status: number) =>
      client.fetch(`${redirector.origin}/go?status=${status}`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    try {
      for (const status of [301, 302, 303]) {
        bodies.length = 0;
        assert.equal(await (await post(status)).text(), 'target got GET', String(status));
        const landed = target.requests.at(-1);
        assert.equal(landed?.headers['content-type'], undefined);
        assert.deepEqual(bodies, ['']);
      }
      for (const status of [307, 308]) {
        bodies.length = 0;
        assert.equal(await (await post(status)).text(), 'target got POST', String(status));
        assert.equal(target.requests.at(-1)?.headers['content-type'], 'application/json');
        assert.deepEqual(bodies, ['{"a":1}']);
      }
      const put = await client.fetch(`${redirector.origin}/go?status=303`, { method: 'PUT', body: 'x' });
      assert.equal(await put.text(), 'target got GET');
      const putKept = await client.fetch(`${redirector.origin}/go?status=302`, { method: 'PUT', body: 'x' });
      assert.equal(await putKept.text(), 'target got PUT');
    } finally {
      await client.close();
    }
  });

  it('drops credentials when a redirect leaves the origin, and keeps them when it does not', async () => {
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.1'] }));
    const headers = {
      authorization: 'Bearer sk-1',
      cookie: 'session=1',
      'x-api-key': 'sk-2',
      'api-key': 'sk-3',
      'x-goog-api-key': 'sk-4',
      'x-trace': 'kept',
    };
    try {
      await (await client.fetch(`${redirector.origin}/go`, { headers })).text();
      const crossOrigin = target.requests.at(-1)?.headers ?? {};
      for (const name of ['authorization', 'cookie', 'x-api-key', 'api-key', 'x-goog-api-key']) assert.equal(crossOrigin[name], undefined, name);
      assert.equal(crossOrigin['x-trace'], 'kept');

      const sameOrigin = `${redirector.origin}/go?to=${encodeURIComponent('/hop/0')}`;
      await (await client.fetch(sameOrigin, { headers: new Headers(headers) })).text();
      const kept = redirector.requests.at(-1)?.headers ?? {};
      assert.equal(kept.authorization, 'Bearer sk-1');
      assert.equal(kept['x-api-key'], 'sk-2');
    } finally {
      await client.close();
    }
  });

  it('hands the raw 3xx to a caller asking for redirect: "manual", and fails on redirect: "error"', async () => {
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.1'] }));
    try {
      const connectionsBefore = target.connectionCount;
      const response = await client.fetch(`${redirector.origin}/go?status=307`, { redirect: 'manual' });
      assert.equal(response.status, 307);
      assert.equal(response.headers.get('location'), `${target.origin}/landed`);
      assert.equal(await response.text(), 'moved');
      assert.equal(target.connectionCount, connectionsBefore);
      await assert.rejects(client.fetch(`${redirector.origin}/go`, { redirect: 'error' }), (error: unknown) => error instanceof TypeError && /unexpected redirect/.test(String((error.cause as Error).message)));
    } finally {
      await client.close();
    }
  });

  it('refuses to re-send a streamed body to a 307', async () => {
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.1'] }));
    try {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('streamed'));
          controller.close();
        },
      });
      await assert.rejects(
        client.fetch(`${redirector.origin}/go?status=307`, { method: 'POST', body, duplex: 'half' } as RequestInit),
        (error: unknown) => error instanceof TypeError && /streamed request body/.test(String((error.cause as Error).message)),
      );
    } finally {
      await client.close();
    }
  });
});
