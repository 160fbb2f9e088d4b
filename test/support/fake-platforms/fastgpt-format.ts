import type { ServerResponse } from 'node:http';
import type { PlatformReply } from './fake-platforms.ts';

const usageOf = (reply: PlatformReply) => {
  const prompt = reply.usage?.promptTokens ?? 0;
  const completion = reply.usage?.completionTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
};

/** FastGPT's non-streamed answer: OpenAI's shape, with the chatId as its id when one was sent. */
export function writeFastGptBlocking(response: ServerResponse, reply: PlatformReply, body: any): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      id: body?.chatId ?? 'fastgpt-answer',
      model: '',
      usage: usageOf(reply),
      choices: [{ message: { role: 'assistant', content: reply.chunks.join('') }, finish_reason: 'stop', index: 0 }],
    }),
  );
}

/** FastGPT's stream with `detail: false`: OpenAI chat.completion.chunk lines, then `[DONE]`. */
export function writeFastGptStream(response: ServerResponse, reply: PlatformReply, body: any): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const id = body?.chatId ?? 'fastgpt-stream';
  const chunk = (delta: object, finish: string | null, extra: object = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: '', choices: [{ delta, index: 0, finish_reason: finish }], ...extra })}\n\n`;
  for (const [index, text] of reply.chunks.entries()) {
    response.write(chunk(index === 0 ? { role: 'assistant', content: text } : { content: text }, null));
  }
  response.write(chunk({}, 'stop', { usage: usageOf(reply) }));
  response.end('data: [DONE]\n\n');
}
