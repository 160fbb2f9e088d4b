import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';

const pendingUpgrade = Symbol('colloquy.pendingUpgrade');

type UpgradingRequest = IncomingMessage & { [pendingUpgrade]?: { socket: Duplex; head: Buffer } };

/**
 * WebSockets through Fastify's own routing: an upgrade request for one of `paths` is routed like
 * any request, so its route's hooks (authentication, errors written as an HTTP answer on the
 * socket) run first; the route handler then completes the upgrade. Per-message deflate is off:
 * it costs memory per socket and opens compression side channels.
 */
export function createWebSocketUpgrades(app: FastifyInstance, paths: readonly string[], maxPayloadBytes: number) {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: maxPayloadBytes, clientTracking: true });
  const wanted = new Set(paths);

  app.server.on('upgrade', (raw: UpgradingRequest, socket: Duplex, head: Buffer) => {
    const path = (raw.url ?? '').split('?', 1)[0]!;
    if (!wanted.has(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    raw[pendingUpgrade] = { socket, head };
    const response = new ServerResponse(raw);
    // A refused handshake (401, 404 …) is an HTTP answer; the socket ends with it.
    response.once('finish', () => {
      if (raw[pendingUpgrade]) socket.end();
    });
    try {
      response.assignSocket(socket as never);
      app.routing(raw, response);
    } catch (error) {
      app.log.warn({ err: error }, 'a WebSocket upgrade failed');
      socket.destroy();
    }
  });
  app.addHook('onClose', async () => {
    for (const client of server.clients) client.terminate();
    server.close();
  });

  return {
    /** True when this request asks for a WebSocket. */
    isUpgrade: (request: FastifyRequest): boolean => (request.raw as UpgradingRequest)[pendingUpgrade] !== undefined,

    /** Completes the upgrade of a request the route accepted. */
    accept(request: FastifyRequest): Promise<WebSocket> {
      const raw = request.raw as UpgradingRequest;
      const pending = raw[pendingUpgrade]!;
      raw[pendingUpgrade] = undefined;
      return new Promise((resolve) => server.handleUpgrade(raw, pending.socket, pending.head, resolve));
    },
  };
}
