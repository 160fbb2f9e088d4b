import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APICallError } from '@ai-sdk/provider';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { AppError } from '../errors/app-error.ts';
import { createGuardedHttpClient } from './guarded-http-client.ts';
import { startLoopbackTestServer } from './loopback-test-server.ts';
import { testSettings } from './test-settings.ts';

function chunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
  const body = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finishReason }] };
  return `data: ${JSON.stringify(body)}\n\n`;
}

describe('guarded HTTP client under the AI SDK', () => {
  it('carries a streamed chat completion as the provider fetch, and its refusals and failures surface as they should', async () => {
    const server = await startLoopbackTestServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk({ role: 'assistant', content: 'Hel' }));
      response.write(chunk({ content: 'lo' }));
      response.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
    });
    const client = createGuardedHttpClient(testSettings());
    try {
      const baseURL = `${server.origin}/v1`;
      const provider = createOpenAICompatible({
        name: 'local',
        baseURL,
        apiKey: 'sk-test',
        // No cast needed: the bound fetch has exactly the type the AI SDK asks for.
        fetch: client.fetchWith({ extraAllowedHosts: [baseURL] }),
      });
      const result = streamText({ model: provider.chatModel('m'), prompt: 'hi', maxRetries: 0 });
      assert.equal(await result.text, 'Hello');
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer sk-test');

      // The same provider without the allowance: refused, and not retried as a network error.
      const refused = createOpenAICompatible({ name: 'local', baseURL, fetch: client.fetch });
      const connections = server.connectionCount;
      const failure = await captureStreamError(streamText({ model: refused.chatModel('m'), prompt: 'hi', maxRetries: 2, onError: () => undefined }));
      assert.ok(failure instanceof AppError && failure.code === 'OUTBOUND_BLOCKED', String(failure));
      assert.equal(server.connectionCount, connections);

      const closed = await startLoopbackTestServer();
      await closed.close();
      const unreachable = createOpenAICompatible({ name: 'local', baseURL: `${closed.origin}/v1`, fetch: client.fetchWith({ extraAllowedHosts: ['127.0.0.1'] }) });
      const networkFailure = await captureStreamError(streamText({ model: unreachable.chatModel('m'), prompt: 'hi', maxRetries: 0, onError: () => undefined }));
      assert.ok(APICallError.isInstance(networkFailure), String(networkFailure));
      assert.equal(networkFailure.isRetryable, true);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

async function captureStreamError(result: { fullStream: AsyncIterable<{ type: string; error?: unknown }> }): Promise<unknown> {
  for await (const part of result.fullStream) {
    if (part.type === 'error') return part.error;
  }
  return undefined;
}
