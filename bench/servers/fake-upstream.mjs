// A tiny, fast OpenAI chat-completions upstream for the benchmarks. Plain JavaScript run by plain
// node, so no loader skews its CPU or memory, and it records nothing (test/support/fake-upstream
// keeps every request, which would grow its memory under load).
//
// The model name scripts the answer: `bench-<delayMs>-<chunks>-<intervalMs>` waits delayMs before
// the headers, then streams `chunks` tokens ("w0 ", "w1 ", …) one every intervalMs (0: all at once).
// Any other model name answers like `bench-0-10-0`.
import http from 'node:http';

const modelPattern = /^bench-(\d+)-(\d+)-(\d+)$/;

/** @param {string} model */
export function scriptOf(model) {
  const match = modelPattern.exec(model ?? '');
  if (!match) return { delayMs: 0, chunks: 10, intervalMs: 0 };
  return { delayMs: Number(match[1]), chunks: Math.max(1, Number(match[2])), intervalMs: Number(match[3]) };
}

/** The i-th token of every answer; benchmarks look for "w0 " to time the first token. */
export const tokenText = (index) => `w${index} `;

function answerText(chunks) {
  let text = '';
  for (let index = 0; index < chunks; index += 1) text += tokenText(index);
  return text;
}

let sequence = 0;

function completion(model, chunks) {
  return JSON.stringify({
    id: `chatcmpl-bench${(sequence += 1)}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: answerText(chunks) }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 8, completion_tokens: chunks, total_tokens: 8 + chunks },
  });
}

function streamAnswer(response, model, script, includeUsage) {
  const id = `chatcmpl-bench${(sequence += 1)}`;
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":1700000000,"model":${JSON.stringify(model)},"choices":[`;
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  response.write(`data: ${head}{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`);
  let index = 0;
  let timer;
  const finish = () => {
    response.write(`data: ${head}{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`);
    if (includeUsage) {
      response.write(`data: ${head}],"usage":{"prompt_tokens":8,"completion_tokens":${script.chunks},"total_tokens":${8 + script.chunks}}}\n\n`);
    }
    response.end('data: [DONE]\n\n');
  };
  const frame = (i) => `data: ${head}{"index":0,"delta":{"content":"${tokenText(i)}"},"finish_reason":null}]}\n\n`;
  response.on('close', () => clearTimeout(timer));
  if (script.intervalMs === 0) {
    let all = '';
    for (; index < script.chunks; index += 1) all += frame(index);
    response.write(all);
    finish();
    return;
  }
  const tick = () => {
    if (response.destroyed) return;
    response.write(frame(index));
    index += 1;
    if (index >= script.chunks) finish();
    else timer = setTimeout(tick, script.intervalMs);
  };
  tick();
}

function handle(request, response) {
  if (request.method === 'GET' && (request.url === '/v1/models' || request.url === '/models')) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"object":"list","data":[{"id":"bench-0-10-0","object":"model","owned_by":"bench"}]}');
    return;
  }
  if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
    return;
  }
  const parts = [];
  request.on('data', (part) => parts.push(part));
  request.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"body is not JSON","type":"invalid_request_error"}}');
      return;
    }
    const model = typeof body.model === 'string' ? body.model : 'bench-0-10-0';
    const script = scriptOf(model);
    const answer = () => {
      if (response.destroyed) return;
      if (body.stream === true) {
        streamAnswer(response, model, script, body.stream_options?.include_usage === true);
        return;
      }
      const json = completion(model, script.chunks);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      response.end(json);
    };
    if (script.delayMs > 0) setTimeout(answer, script.delayMs);
    else answer();
  });
}

/** Starts the upstream on 127.0.0.1; port 0 picks a free one. */
export function startFakeUpstream(port = 0) {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handle);
  server.maxHeadersCount = 100;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: address.port,
        url: `http://127.0.0.1:${address.port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

// Run as a process: `node bench/servers/fake-upstream.mjs <port>` prints "listening <port>".
if (import.meta.url === `file://${process.argv[1]}`) {
  const started = await startFakeUpstream(Number(process.argv[2] ?? 0));
  process.stdout.write(`listening ${started.port}\n`);
}
