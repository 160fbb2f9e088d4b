import type { ServerResponse } from 'node:http';
import type { PlatformReply } from './fake-platforms.ts';

export interface DifyConversationIds {
  issued: string[];
}

/** The conversation the request continues, or a new one Dify issues. */
function conversationFor(body: any, ids: DifyConversationIds): string {
  if (typeof body?.conversation_id === 'string' && body.conversation_id !== '') return body.conversation_id;
  const id = `dify-conversation-${ids.issued.length + 1}`;
  ids.issued.push(id);
  return id;
}

const usageOf = (reply: PlatformReply) => {
  const prompt = reply.usage?.promptTokens ?? 0;
  const completion = reply.usage?.completionTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, currency: 'USD', latency: 0.5 };
};

/** `response_mode: blocking`: one ChatCompletionResponse. */
export function writeDifyBlocking(response: ServerResponse, reply: PlatformReply, body: any, ids: DifyConversationIds): void {
  const conversationId = conversationFor(body, ids);
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      event: 'message', task_id: 'task-1', id: 'dify-message-1', message_id: 'dify-message-1', conversation_id: conversationId,
      mode: 'chat', answer: reply.chunks.join(''), metadata: { usage: usageOf(reply), retriever_resources: [] }, created_at: 1705407629,
    }),
  );
}

/** `response_mode: streaming`: `data:` events (agent apps stream `agent_thought` and `agent_message`), pings between. */
export function writeDifyStream(response: ServerResponse, reply: PlatformReply, body: any, ids: DifyConversationIds): void {
  const conversationId = conversationFor(body, ids);
  const common = { task_id: 'task-1', message_id: 'dify-message-1', conversation_id: conversationId, created_at: 1705398420 };
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: object) => response.write(`data: ${JSON.stringify(event)}\n\n`);
  response.write('event: ping\n\n');
  const isAgent = reply.thoughts !== undefined;
  for (const [position, thought] of (reply.thoughts ?? []).entries()) {
    const base = { event: 'agent_thought', id: `thought-${position + 1}`, position: position + 1, thought: '', message_files: [], ...common };
    // Dify sends a thought again as it advances: first the tool call, then with its observation.
    send({ ...base, tool: thought.tool, tool_input: thought.toolInput, observation: '' });
    send({ ...base, tool: thought.tool, tool_input: thought.toolInput, observation: thought.observation });
  }
  for (const text of reply.chunks) send({ event: isAgent ? 'agent_message' : 'message', id: 'dify-message-1', answer: text, ...common });
  if (reply.streamError) {
    send({ event: 'error', task_id: 'task-1', message_id: 'dify-message-1', status: 400, ...reply.streamError });
  } else {
    send({ event: 'message_end', id: 'dify-message-1', metadata: { usage: usageOf(reply), retriever_resources: [] }, ...common });
  }
  response.end();
}
