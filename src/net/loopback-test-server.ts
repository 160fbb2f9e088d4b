import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A real HTTP server on 127.0.0.1 for the net tests, counting the connections it accepts. */
export interface LoopbackTestServer {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Connections accepted so far: the tests of refusals assert this stays 0. */
  readonly connectionCount: number;
  /** Requests received, with their headers, in order. */
  readonly requests: ReadonlyArray<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Resolves when the first socket accepted closes (tests that abort use one socket). */
  firstSocketClosed(): Promise<void>;
  close(): Promise<void>;
}

export async function startLoopbackTestServer(
  handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end('ok'),
): Promise<LoopbackTestServer> {
  const sockets = new Set<Socket>();
  const requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];
  let connectionCount = 0;
  let socketClosed: Promise<void> | undefined;
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handle(request, response);
  });
  server.on('connection', (socket: Socket) => {
    connectionCount++;
    sockets.add(socket);
    socketClosed ??= new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    get connectionCount() {
      return connectionCount;
    },
    requests,
    firstSocketClosed() {
      return socketClosed ?? new Promise(() => undefined);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
