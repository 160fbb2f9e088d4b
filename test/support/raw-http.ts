import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body with any chunked transfer coding removed. */
  body: string;
  /** True when the server closed the connection (the client never does before it has the whole response). */
  closedByServer: boolean;
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Sends one request exactly as given (a browser's keep-alive request line and headers) over a
 * plain socket, and reads until the server closes it or `timeoutMs` passes. A server that keeps
 * the connection open after the response shows as `closedByServer: false`.
 */
export function rawRequest(
  port: number,
  request: { method: string; path: string; headers: Record<string, string>; body?: string },
  timeoutMs = 5000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let closedByServer = false;
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('end', () => {
      closedByServer = true;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(received);
      const headerEnd = raw.indexOf('\r\n\r\n');
      if (headerEnd < 0) return reject(new Error(`no response head in ${JSON.stringify(raw.toString('utf8'))}`));
      const [statusLine, ...headerLines] = raw.subarray(0, headerEnd).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = raw.subarray(headerEnd + 4);
      const body = headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest;
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8'), closedByServer });
    });
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const head = [
      `${request.method} ${request.path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
      ...(body ? [`Content-Length: ${body.length}`] : []),
    ].join('\r\n');
    socket.write(`${head}\r\n\r\n`);
    if (body) socket.write(body);
  });
}

/** SSE frames of a body, as `[event, data]` with data parsed as JSON when it is JSON. */
export function sseFrames(body: string): Array<[string, unknown]> {
  return body
    .split('\n\n')
    .filter((block) => block.split('\n').some((line) => line.startsWith('data:')))
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      const text = data.join('\n');
      try {
        return [event, JSON.parse(text)] as [string, unknown];
      } catch {
        return [event, text] as [string, unknown];
      }
    });
}
