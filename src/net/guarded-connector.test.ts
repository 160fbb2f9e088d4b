import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createGuardedConnector } from './guarded-connector.ts';
import { createHostAllowList } from './host-allow-list.ts';
import { startLoopbackTestServer, type LoopbackTestServer } from './loopback-test-server.ts';
import { fakeLookup } from './test-settings.ts';

function connectWith(allowHosts: string[], hostname: string, port: number): Promise<Socket> {
  const connect = createGuardedConnector({ allowList: createHostAllowList(allowHosts), lookup: fakeLookup, connectTimeoutMs: 2000 });
  return new Promise((resolve, reject) => {
    connect({ hostname, host: `${hostname}:${port}`, protocol: 'http:', port: String(port) }, (error, socket) => {
      if (error) reject(error);
      else resolve(socket as Socket);
    });
  });
}

// The client refuses IP literals before reaching the connector; these tests make sure the
// connector, which every socket goes through, refuses them on its own as well.
describe('guarded connector', () => {
  let server: LoopbackTestServer;
  before(async () => {
    server = await startLoopbackTestServer();
  });
  after(() => server.close());

  it('refuses forbidden IP literals, including forms the URL parser would have rewritten', async () => {
    for (const hostname of ['127.0.0.1', '::ffff:127.0.0.1', '0x7f.1', '2130706433', '0177.0.0.1']) {
      await assert.rejects(connectWith([], hostname, server.port), (error: unknown) => {
        assert.ok(error instanceof AppError && error.code === 'OUTBOUND_BLOCKED', String(error));
        assert.match(error.message, /127\.0\.0\.1|7f00:1/);
        return true;
      }, hostname);
    }
    await assert.rejects(connectWith([], 'loopback.example', server.port), /refused to connect to 127\.0\.0\.1 \(loopback address\) for loopback\.example/);
    assert.equal(server.connectionCount, 0);
  });

  it('dials what the allow-list lets through, legacy forms at the address they denote', async () => {
    for (const [allowHosts, hostname] of [[['127.0.0.1'], '127.0.0.1'], [['127.0.0.0/8'], '0x7f.1'], [['loopback.example'], 'loopback.example']] as const) {
      const socket = await connectWith([...allowHosts], hostname, server.port);
      assert.equal(socket.remoteAddress, '127.0.0.1');
      socket.destroy();
    }
    // The server may see the last connection a moment after the client does.
    for (let waited = 0; server.connectionCount < 3 && waited < 1000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(server.connectionCount, 3);
  });
});
