import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';

/**
 * Registers @fastify/websocket in `scope` (the scope that holds the WebSocket routes) for
 * `paths` only. The plugin routes an upgrade through Fastify like any request, so the route's
 * hooks (authentication, a refused session) answer over HTTP before the handshake; the route's
 * `wsHandler` gets the socket.
 *
 * Kept here, in front of the plugin: the plugin would route an upgrade for any path, and an
 * upgrade answered by a route outside its scope (or by the 404 handler) leaves the socket open,
 * with none of the HTTP server's timeouts. So the plugin listens on an emitter this gate feeds
 * with the chat paths' upgrades only, and every other upgrade gets a 404 and its socket ends.
 *
 * Per-message deflate is off: it costs memory per socket and opens compression side channels.
 */
export async function registerWebSocketPlugin(scope: FastifyInstance, paths: readonly string[], maxPayloadBytes: number): Promise<void> {
  const wanted = new Set(paths);
  const upgrades = new EventEmitter();
  const upgrading = new WeakMap<IncomingMessage, Duplex>();
  const gate = (raw: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (raw.url ?? '').split('?', 1)[0]!;
    if (!wanted.has(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    upgrading.set(raw, socket);
    upgrades.emit('upgrade', raw, socket, head);
  };
  scope.server.on('upgrade', gate);
  // A refused handshake (401, 404 …) is an HTTP answer and the socket ends with it. The plugin
  // ends it only when its own onRequest hook ran, which an earlier hook that threw (the
  // authentication's 401) prevents. An accepted upgrade is hijacked and never gets here.
  scope.addHook('onResponse', async (request) => {
    upgrading.get(request.raw)?.end();
  });
  scope.addHook('onClose', async () => {
    scope.server.off('upgrade', gate);
  });
  await scope.register(fastifyWebsocket, {
    // The plugin listens to upgrades on `server` when given one; only its `on`/`off` are used.
    options: { server: upgrades as never, perMessageDeflate: false, maxPayload: maxPayloadBytes, clientTracking: true },
    // A socket error (a client that vanished mid-frame) is no server fault: a warning, not an
    // error, and the socket ends. A route handler that threw lands here too.
    errorHandler(error, socket, request) {
      request.log.warn({ err: error }, 'a WebSocket failed');
      socket.terminate();
    },
    // A closing server ends its sockets at once; clients reconnect and resume from their cursor.
    preClose(done) {
      for (const client of this.websocketServer.clients) client.terminate();
      this.websocketServer.close();
      done();
    },
  });
}
