import type { FastifyReply, FastifyRequest } from 'fastify';
import { uniqueRefs, type PromptFile, type PromptFiles } from '../../agents/agent-chat-attachments.ts';
import type { AgentChat } from '../../agents/agent-chat.ts';
import type { ChatService } from '../../chat/chat-service.ts';
import { validationError } from '../../errors/app-error.ts';
import { principalOf } from '../auth-hook.ts';
import { agentChatBodySchema, type AgentChatBody } from './llmchat-schemas.ts';
import { replyWithTurn } from './llmchat-turn-reply.ts';

function parseBody(body: unknown): AgentChatBody {
  const parsed = agentChatBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw validationError(parsed.error.issues.map((issue) => `body.${issue.path.join('.')}: ${issue.message}`).join('; '));
}

/** The files named by `attachments` and by the newest message's `metadata.attachments`, read for the caller. */
async function filesOf(files: PromptFiles, userId: string, body: AgentChatBody): Promise<PromptFile[]> {
  const refs = uniqueRefs([...(body.attachments ?? []), ...(body.messages.at(-1)?.metadata?.attachments ?? [])]);
  if (refs.length > 20) throw validationError('attach at most 20 files to one message');
  return refs.length === 0 ? [] : files.readForPrompt(userId, refs.map((ref) => ref.id));
}

/**
 * LLMChat's agent chat (`POST /api/chat/completions` with `agentId`): the OpenAI routes hand such
 * bodies here. Its web app sends only the newest message, keyed by a `chatId` of its own making;
 * the conversation is found (or made) by the caller and that id, and keeps the history.
 */
export function createAgentChatHandler(dependencies: { agentChat: AgentChat; chat: ChatService; files: PromptFiles }) {
  const { agentChat, chat, files } = dependencies;

  return async function handleAgentChat(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const body = parseBody(request.body);
    const principal = principalOf(request);
    const idempotencyKey = request.headers['idempotency-key'];
    const overrides = {
      ...body.config,
      ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
      ...(body.maxTokens !== undefined ? { maxTokens: body.maxTokens } : {}),
    };
    const chatId = body.chatId ?? body.sessionId;
    const turn = await agentChat.start({
      principal,
      agentId: body.agentId,
      messages: body.messages,
      ...(chatId ? { chatId } : {}),
      overrides,
      ...(body.variables ? { variables: body.variables } : {}),
      files: await filesOf(files, principal.user.id, body),
      ...(body.responseChatItemId ? { responseChatItemId: body.responseChatItemId } : {}),
      ...(typeof idempotencyKey === 'string' && idempotencyKey !== '' ? { idempotencyKey } : {}),
      surface: 'llmchat',
    });
    return replyWithTurn(request, reply, chat, turn, body.stream);
  };
}
