import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentChat } from '../../agents/agent-chat.ts';
import type { ChatService } from '../../chat/chat-service.ts';
import { AppError, validationError } from '../../errors/app-error.ts';
import { LlmChatEncoder } from '../../streaming/llmchat-encoder.ts';
import { principalOf } from '../auth-hook.ts';
import { success } from '../envelope.ts';
import { streamSse } from '../sse-stream.ts';
import { agentChatBodySchema, agentChatReplySchema, type AgentChatBody } from './llmchat-schemas.ts';

function parseBody(body: unknown): AgentChatBody {
  const parsed = agentChatBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw validationError(parsed.error.issues.map((issue) => `body.${issue.path.join('.')}: ${issue.message}`).join('; '));
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : 0);

/**
 * LLMChat's agent chat (`POST /api/chat/completions` with `agentId`): the OpenAI routes hand such
 * bodies here. Streamed, it answers LLMChat's SSE (`start`, `chunk`, `status`, `end`, `error`),
 * with `x-message-id` naming the turn for resume and stop; otherwise the envelope with the answer.
 */
export function createAgentChatHandler(dependencies: { agentChat: AgentChat; chat: ChatService }) {
  const { agentChat, chat } = dependencies;

  return async function handleAgentChat(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const body = parseBody(request.body);
    const principal = principalOf(request);
    const userId = principal.user.id;
    const idempotencyKey = request.headers['idempotency-key'];
    const turn = await agentChat.start({
      principal,
      agentId: body.agentId,
      messages: body.messages,
      ...(body.sessionId ? { sessionId: body.sessionId } : {}),
      overrides: body.config ?? {},
      ...(body.variables ? { variables: body.variables } : {}),
      ...(typeof idempotencyKey === 'string' && idempotencyKey !== '' ? { idempotencyKey } : {}),
      surface: 'llmchat',
    });

    if (body.stream) {
      await streamSse(request, reply, (signal) => chat.events(userId, turn.turnId, 0, signal), new LlmChatEncoder(0), {
        headers: { 'x-message-id': turn.turnId, 'x-session-id': turn.conversationId },
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
    reply.header('x-message-id', assistant.id);
    return agentChatReplySchema.parse(
      success(
        {
          id: assistant.id,
          sessionId: turn.conversationId,
          message: { role: 'assistant' as const, content: assistant.content },
          usage: { promptTokens: count(usage.prompt_tokens), completionTokens: count(usage.completion_tokens), totalTokens: count(usage.total_tokens) },
          createdAt: assistant.createdAt,
        },
        'Chat completed',
      ),
    );
  };
}
