// The floor: the least a Node gateway can do. It forwards every request to the upstream over one
// undici pool (pipelining 1) and pipes the answer back, touching neither body. Plain JavaScript
// run by plain node, so its CPU and memory are the bare cost of a Node HTTP hop.
//
// `node bench/servers/floor-proxy.mjs <port> <upstream url>` prints "listening <port>".
import http from 'node:http';
import { Pool } from 'undici';

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/** @param {string} upstreamUrl */
export function startFloorProxy(port, upstreamUrl) {
  const pool = new Pool(upstreamUrl, { pipelining: 1, connections: null, keepAliveTimeout: 60_000 });
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    const headers = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
    }
    const aborter = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) aborter.abort();
    });
    pool
      .request({
        path: request.url,
        method: request.method,
        headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request,
        signal: aborter.signal,
      })
      .then(({ statusCode, headers: upstreamHeaders, body }) => {
        const out = {};
        for (const [name, value] of Object.entries(upstreamHeaders)) {
          if (!hopByHop.has(name) && value !== undefined) out[name] = value;
        }
        response.writeHead(statusCode, out);
        body.pipe(response);
        body.on('error', () => response.destroy());
      })
      .catch(() => {
        if (response.headersSent) response.destroy();
        else {
          response.writeHead(502, { 'content-type': 'application/json' });
          response.end('{"error":{"message":"upstream unreachable","type":"bad_gateway"}}');
        }
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ port: server.address().port, server, pool }));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = await startFloorProxy(Number(process.argv[2] ?? 0), process.argv[3]);
  process.stdout.write(`listening ${started.port}\n`);
}
