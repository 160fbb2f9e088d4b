import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentTurn } from '../../agents/agent-chat.ts';
import type { ChatService } from '../../chat/chat-service.ts';
import { AppError } from '../../errors/app-error.ts';
import { LlmChatEncoder } from '../../streaming/llmchat-encoder.ts';
import { formatSseFrame, type SseFrame } from '../../streaming/sse-frame.ts';
import { success } from '../envelope.ts';
import { streamSse } from '../sse-stream.ts';
import { agentChatReplySchema } from './llmchat-schemas.ts';

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : 0);

/**
 * LLMChat's web app reads a stream until the server closes it, so its streams say
 * `Connection: close` and Node ends the socket after the last frame.
 */
const closing = { connection: 'close' };

/**
 * Answers a started agent turn in LLMChat's formats. Streamed: `chatId`, `start`, `chunk`s, then
 * `end` (or `error`), and the connection closes; `x-message-id` names the turn for resume and
 * stop. Otherwise the envelope with the finished answer, also as `choices[0].message`.
 */
export async function replyWithTurn(
  request: FastifyRequest,
  reply: FastifyReply,
  chat: ChatService,
  turn: AgentTurn,
  stream: boolean,
): Promise<unknown> {
  const userId = turn.userMessage.userId;
  if (stream) {
    await streamSse(request, reply, (signal) => chat.events(userId, turn.turnId, 0, signal), new LlmChatEncoder(0, { chatId: turn.chatId }), {
      headers: { 'x-message-id': turn.turnId, 'x-session-id': turn.conversationId, ...closing },
    });
    return reply;
  }

  // The client leaving stops only the waiting; the turn goes on and is saved.
  const gone = new AbortController();
  const onClose = () => gone.abort();
  reply.raw.once('close', onClose);
  let assistant;
  try {
    assistant = await chat.awaitResult(userId, turn.turnId, gone.signal);
  } finally {
    reply.raw.off('close', onClose);
  }
  if (assistant.status === 'failed') {
    throw new AppError('PROVIDER_ERROR', assistant.error ?? 'the agent could not answer');
  }
  const usage = assistant.usage ?? {};
  const [promptTokens, completionTokens, totalTokens] = [count(usage.prompt_tokens), count(usage.completion_tokens), count(usage.total_tokens)];
  reply.header('x-message-id', assistant.id);
  const message = { role: 'assistant' as const, content: assistant.content };
  return agentChatReplySchema.parse(
    success(
      {
        id: assistant.id,
        sessionId: turn.chatId,
        chatId: turn.chatId,
        conversationId: turn.conversationId,
        message,
        object: 'chat.completion' as const,
        created: Math.floor(Date.parse(assistant.createdAt) / 1000),
        model: assistant.model ?? turn.agent.config.model ?? '',
        choices: [{ index: 0, message: { id: assistant.id, ...message }, finish_reason: assistant.status === 'complete' ? 'stop' : assistant.status }],
        usage: {
          promptTokens, completionTokens, totalTokens,
          prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: totalTokens,
        },
        createdAt: assistant.createdAt,
      },
      'Chat completed',
    ),
  );
}

/** Writes a few ready frames as one SSE response and closes it (LLMChat's streamed `init`). */
export function replyWithFrames(reply: FastifyReply, frames: SseFrame[]): FastifyReply {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    ...closing,
  });
  raw.end(frames.map(formatSseFrame).join(''));
  return reply;
}
