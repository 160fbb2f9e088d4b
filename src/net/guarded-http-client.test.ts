import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { AppError } from '../errors/app-error.ts';
import { createGuardedHttpClient } from './guarded-http-client.ts';
import { startLoopbackTestServer, type LoopbackTestServer } from './loopback-test-server.ts';
import { testSettings } from './test-settings.ts';

function isBlocked(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, 'OUTBOUND_BLOCKED');
    assert.match(error.message, pattern);
    return true;
  };
}

describe('guarded HTTP client: refusals', () => {
  let server: LoopbackTestServer;
  before(async () => {
    server = await startLoopbackTestServer();
  });
  after(() => server.close());

  it('refuses loopback, link-local, unspecified and disguised loopback targets without connecting', async () => {
    // The real resolver here, so "localhost" is resolved as it would be in production.
    const client = createGuardedHttpClient(testSettings({ lookup: undefined }));
    const port = server.port;
    const cases: Array<[string, RegExp]> = [
      [`http://localhost:${port}/`, /refused to connect to (127\.0\.0\.1|::1) \(loopback address\) for http:\/\/localhost:\d+\//],
      [`http://127.0.0.1:${port}/`, /127\.0\.0\.1 \(loopback address\)/],
      [`http://[::1]:${port}/`, /::1 \(loopback address\)/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 \(link-local address\) for http:\/\/169\.254\.169\.254\/latest\/meta-data\//],
      [`http://[::ffff:127.0.0.1]:${port}/`, /IPv4-mapped address of 127\.0\.0\.1, loopback address/],
      [`http://2130706433:${port}/`, /127\.0\.0\.1 \(loopback address\)/],
      [`http://0x7f.1:${port}/`, /127\.0\.0\.1 \(loopback address\)/],
      [`http://0177.0.0.1:${port}/`, /127\.0\.0\.1 \(loopback address\)/],
      [`http://127.1:${port}/`, /127\.0\.0\.1 \(loopback address\)/],
      [`http://0.0.0.0:${port}/`, /0\.0\.0\.0 \("this network" address\)/],
      [`http://0:${port}/`, /0\.0\.0\.0 \("this network" address\)/],
      [`https://[64:ff9b::7f00:1]:${port}/`, /NAT64 address of 127\.0\.0\.1/],
      ['file:///etc/passwd', /refused to fetch file:\/\/\/etc\/passwd: only http: and https: URLs are allowed/],
      ['ftp://x/', /refused to fetch ftp:\/\/x\/: only http: and https:/],
      ['data:text/plain,hello', /only http: and https:/],
    ];
    try {
      for (const [url, pattern] of cases) await assert.rejects(client.fetch(url), isBlocked(pattern), url);
      assert.equal(server.connectionCount, 0);
    } finally {
      await client.close();
    }
  });

  it('refuses a name that resolves to a private address, or to a mix of public and private ones', async () => {
    const client = createGuardedHttpClient(testSettings());
    try {
      await assert.rejects(client.fetch('http://ten.example/'), isBlocked(/refused to connect to 10\.0\.0\.1 \(private address\) for http:\/\/ten\.example\//));
      await assert.rejects(client.fetch(`http://loopback.example:${server.port}/`), isBlocked(/127\.0\.0\.1 \(loopback address\)/));
      // The public answer comes first and would be dialled first; the private one still refuses the name.
      await assert.rejects(client.fetch(`http://mixed.example:${server.port}/`), isBlocked(/127\.0\.0\.1 \(loopback address\) for http:\/\/mixed\.example/));
      assert.equal(server.connectionCount, 0);
    } finally {
      await client.close();
    }
  });

  it('keeps query strings, user info and headers out of the refusal', async () => {
    const client = createGuardedHttpClient(testSettings());
    try {
      await assert.rejects(
        client.fetch(`http://user:hunter2@127.0.0.1:${server.port}/v1/models?key=sk-secret#frag`, { headers: { authorization: 'Bearer sk-header' } }),
        (error: unknown) => {
          assert.ok(error instanceof AppError);
          assert.match(error.message, /for http:\/\/127\.0\.0\.1:\d+\/v1\/models$/);
          assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /hunter2|sk-secret|sk-header|frag/);
          return true;
        },
      );
      await assert.rejects(client.fetch('not a url'), (error: unknown) => error instanceof TypeError && error.message === 'invalid URL');
    } finally {
      await client.close();
    }
  });
});

describe('guarded HTTP client: allow-list', () => {
  let server: LoopbackTestServer;
  before(async () => {
    server = await startLoopbackTestServer((request, response) => response.end(`hello ${request.headers.host}`));
  });
  after(() => server.close());

  for (const allowHosts of [['127.0.0.1'], ['127.0.0.0/8'], ['::ffff:127.0.0.1/128', '127.0.0.1/32']]) {
    it(`connects to an allow-listed address (${allowHosts.join(', ')})`, async () => {
      const client = createGuardedHttpClient(testSettings({ allowHosts }));
      try {
        const response = await client.fetch(`${server.origin}/`);
        assert.equal(response.status, 200);
        assert.equal(await response.text(), `hello 127.0.0.1:${server.port}`);
      } finally {
        await client.close();
      }
    });
  }

  it('lets an allow-listed name reach whatever it resolves to, keeping the name as Host', async () => {
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['public.example', 'dual.example'] }));
    try {
      const response = await client.fetch(`http://public.example:${server.port}/`);
      assert.equal(await response.text(), `hello public.example:${server.port}`);
      assert.equal(response.url, `http://public.example:${server.port}/`);
      // Every resolved address is handed to the socket: ::1 has no listener, 127.0.0.1 answers.
      const dual = await client.fetch(`http://dual.example:${server.port}/`);
      assert.equal(await dual.text(), `hello dual.example:${server.port}`);
      await assert.rejects(client.fetch(`http://loopback.example:${server.port}/`), isBlocked(/loopback/));
    } finally {
      await client.close();
    }
  });

  it('dials the checked address over TLS while keeping the name for SNI', async () => {
    // No certificate: the server records the name the client asks for, then ends the handshake.
    const servernames: string[] = [];
    const tlsServer = createTlsServer({
      SNICallback: (servername, callback) => {
        servernames.push(servername);
        callback(new Error('handshake stops here'), undefined);
      },
    });
    tlsServer.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    const { port } = tlsServer.address() as AddressInfo;
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['public.example'] }));
    try {
      await assert.rejects(client.fetch(`https://public.example:${port}/`), (error: unknown) => error instanceof TypeError && error.message === 'fetch failed');
      assert.deepEqual(servernames, ['public.example']);
    } finally {
      await client.close();
      await new Promise((resolve) => tlsServer.close(resolve));
    }
  });

  it('allows extra hosts per call only, and never lends the sockets it opened to other calls', async () => {
    const client = createGuardedHttpClient(testSettings());
    try {
      const widened = client.fetchWith({ extraAllowedHosts: ['127.0.0.1'] });
      assert.equal(await (await widened(`${server.origin}/`)).text(), `hello 127.0.0.1:${server.port}`);
      const byName = client.fetchWith({ extraAllowedHosts: [`http://loopback.example:${server.port}/v1`] });
      assert.equal(await (await byName(`http://loopback.example:${server.port}/`)).text(), `hello loopback.example:${server.port}`);
      const connectionsSoFar = server.connectionCount;
      // A kept-alive socket to this origin exists now, but the default fetch may not use it.
      await assert.rejects(client.fetch(`${server.origin}/`), isBlocked(/loopback/));
      await assert.rejects(client.fetch(`http://loopback.example:${server.port}/`), isBlocked(/loopback/));
      assert.equal(server.connectionCount, connectionsSoFar);
      assert.equal(await (await widened(`${server.origin}/`)).text(), `hello 127.0.0.1:${server.port}`);
    } finally {
      await client.close();
    }
  });

  it('sends every kind of body fetch accepts, including the global FormData, and Request inputs', async () => {
    const echo = await startLoopbackTestServer(async (request, response) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      response.end(`${request.method} ${request.headers['content-type']} ${request.headers['x-trace']}\n${body}`);
    });
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.1'] }));
    try {
      const form = new FormData();
      form.append('purpose', 'transcription');
      form.append('file', new Blob(['audio bytes']), 'clip.wav');
      const multipart = await (await client.fetch(`${echo.origin}/`, { method: 'POST', body: form })).text();
      assert.match(multipart, /^POST multipart\/form-data; boundary=/);
      assert.match(multipart, /name="purpose"\r\n\r\ntranscription/);
      assert.match(multipart, /filename="clip.wav"[\s\S]*audio bytes/);
      const urlEncoded = await (await client.fetch(`${echo.origin}/`, { method: 'post', body: new URLSearchParams({ q: '1' }) })).text();
      assert.equal(urlEncoded, 'POST application/x-www-form-urlencoded;charset=UTF-8 undefined\nq=1');
      const request = new Request(`${echo.origin}/`, { method: 'PUT', body: 'from a Request', headers: { 'x-trace': 't1', 'content-type': 'text/plain' } });
      assert.equal(await (await client.fetch(request)).text(), 'PUT text/plain t1\nfrom a Request');
    } finally {
      await client.close();
      await echo.close();
    }
  });

  it('rejects a malformed allow-list entry when the client or the bound fetch is made', () => {
    assert.throws(() => createGuardedHttpClient(testSettings({ allowHosts: ['10.0.0.0/40'] })), /allow-list entry "10\.0\.0\.0\/40"/);
    const client = createGuardedHttpClient(testSettings());
    assert.throws(() => client.fetchWith({ extraAllowedHosts: ['a b'] }), /allow-list entry "a b"/);
    assert.throws(() => client.fetchWith({ maxRedirects: 6 }), /maxRedirects/);
    void client.close();
  });

  it('surfaces other network failures as fetch does: TypeError("fetch failed") with a cause', async () => {
    const closed = await startLoopbackTestServer();
    await closed.close();
    const client = createGuardedHttpClient(testSettings({ allowHosts: ['127.0.0.1'] }));
    try {
      await assert.rejects(client.fetch(`${closed.origin}/`), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.equal(error.message, 'fetch failed');
        assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED');
        return true;
      });
      await assert.rejects(client.fetch('http://unknown.example/'), (error: unknown) => error instanceof TypeError && (error.cause as { code?: string }).code === 'ENOTFOUND');
    } finally {
      await client.close();
    }
  });
});
