import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { refsFromMetadata, type PromptFiles } from '../../agents/agent-chat-attachments.ts';
import type { AgentChat } from '../../agents/agent-chat.ts';
import { dataIdOf, type AgentChatHistory, type Feedback } from '../../agents/agent-chat-history.ts';
import type { AgentService } from '../../agents/agent-service.ts';
import type { ChatService } from '../../chat/chat-service.ts';
import { validationError } from '../../errors/app-error.ts';
import type { IdGenerator } from '../../storage/ids.ts';
import { principalOf } from '../auth-hook.ts';
import { success } from '../envelope.ts';
import {
  agentChatReplySchema,
  agentQuerySchema,
  chatParamsSchema,
  clearReplySchema,
  deleteReplySchema,
  eventStreamSchema,
  feedbackBodySchema,
  feedbackReplySchema,
  historyDetailSchema,
  historyListSchema,
  initQuerySchema,
  initReplySchema,
  listQuerySchema,
  retryBodySchema,
} from './llmchat-schemas.ts';
import { replyWithFrames, replyWithTurn } from './llmchat-turn-reply.ts';

const tags = ['llmchat'];

export interface LlmChatHistoryDependencies {
  agents: AgentService;
  agentChat: AgentChat;
  history: AgentChatHistory;
  chat: ChatService;
  files: PromptFiles;
  newId: IdGenerator;
}

/** A FastGPT-style feedback flag: any non-empty value (or true) sets it. */
const isSet = (value: string | boolean | null | undefined) => value === true || (typeof value === 'string' && value.trim() !== '');

function agentOf(query: { agentId?: string; appId?: string }): string {
  const agentId = query.agentId ?? query.appId;
  if (!agentId) throw validationError('send agentId: the agent whose chats to use');
  return agentId;
}

/**
 * The rest of LLMChat's web app's chat: init, the per-agent chat list, a chat's history, delete,
 * retry and feedback. Chats are named by the client's `chatId` (or the conversation id); every
 * lookup is the caller's own, so another user's ids behave as unknown ones.
 */
export function registerLlmChatHistoryRoutes(app: FastifyInstance, dependencies: LlmChatHistoryDependencies): void {
  const { agents, agentChat, history, chat, files, newId } = dependencies;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/chat/init',
    {
      schema: {
        tags,
        summary: "Open a chat with an agent (LLMChat's init)",
        description:
          'Answers the chat id to use (the one sent, or a new one) and the agent as FastGPT describes an app. With ' +
          '`stream=true` the same comes as SSE: `chatId`, a `chunk` with the welcome text, then `end` whose `data` is the answer.',
        querystring: initQuerySchema,
        response: { 200: z.union([initReplySchema, eventStreamSchema]) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const agent = await agents.findVisible(principal, request.query.appId);
      const chatId = request.query.chatId ?? newId();
      const existing = request.query.chatId ? await history.find(principal.user.id, chatId) : undefined;
      const welcomeText = agent.description.trim();
      const data = {
        chatId, appId: agent.id, title: existing?.conversation.title ?? '',
        app: {
          name: agent.name, avatar: agent.avatar, intro: agent.description,
          chatModels: agent.config.model ? [agent.config.model] : [],
          chatConfig: { welcomeText, variables: [] },
        },
      };
      if (request.query.stream !== 'true') return initReplySchema.parse(success(data));
      return replyWithFrames(reply, [
        { event: 'chatId', data: { chatId } },
        // An empty chunk would leave the web app's greeting bubble blank; the agent's name is the least it shows.
        { event: 'chunk', data: { type: 'text', content: welcomeText || agent.name } },
        { event: 'end', data: { type: 'end', chatId, data } },
      ]);
    },
  );

  routes.get(
    '/api/chat/history',
    {
      schema: {
        tags, summary: "List the caller's chats with an agent", description: 'Most recently updated first; `chatId` is the client\'s id when it gave one.',
        querystring: listQuerySchema, response: { 200: historyListSchema },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const chats = await history.list(principalOf(request).user.id, agentOf(request.query), { offset: (page - 1) * limit, limit });
      return success(chats.map(({ agentId, ...chat }) => ({ ...chat, appId: agentId })));
    },
  );

  routes.delete(
    '/api/chat/history',
    {
      schema: { tags, summary: "Delete all of the caller's chats with an agent", querystring: agentQuerySchema, response: { 200: clearReplySchema } },
    },
    async (request) => {
      const agentId = agentOf(request.query);
      return success({ agentId, deleted: await history.clear(principalOf(request).user.id, agentId) }, 'Chats deleted');
    },
  );

  routes.get(
    '/api/chat/history/:chatId',
    {
      schema: {
        tags, summary: "A chat's history (its active branch)",
        description: '`dataId` is the client\'s id for an answer (`responseChatItemId`) or the message id; `feedback` is `good`, `bad` or null.',
        params: chatParamsSchema, querystring: agentQuerySchema, response: { 200: historyDetailSchema },
      },
    },
    async (request) => {
      const { ref, messages } = await history.detail(principalOf(request).user.id, request.params.chatId);
      const { conversation } = ref;
      return success({
        chatId: ref.chatId, appId: conversation.agentId, conversationId: conversation.id, title: conversation.title, messages,
        metadata: { createdAt: conversation.createdAt, updatedAt: conversation.updatedAt },
      });
    },
  );

  routes.delete(
    '/api/chat/history/:chatId',
    {
      schema: {
        tags, summary: 'Delete a chat', description: 'Succeeds for an id that names no chat of the caller\'s too (`deleted: false`).',
        params: chatParamsSchema, querystring: agentQuerySchema, response: { 200: deleteReplySchema },
      },
    },
    async (request) => {
      const deleted = await history.delete(principalOf(request).user.id, request.params.chatId);
      return success({ chatId: request.params.chatId, deleted }, deleted ? 'Chat deleted' : 'No such chat');
    },
  );

  routes.post(
    '/api/chat/history/:chatId/retry',
    {
      schema: {
        tags, summary: 'Answer a question of the chat again',
        description:
          '`dataId` names the answer to replace (or its question). The new answer is a sibling in the message tree; the old one stays. ' +
          'Streamed and non-streamed replies are those of the agent chat.',
        params: chatParamsSchema, body: retryBodySchema, response: { 200: z.union([agentChatReplySchema, eventStreamSchema]) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const userId = principal.user.id;
      const ref = await history.get(userId, request.params.chatId);
      const agentId = request.body.agentId ?? ref.conversation.agentId;
      if (!agentId) throw validationError('send agentId: this chat has no agent');
      const { question, answer } = await history.retryTarget(userId, ref, request.body.dataId);
      const refs = refsFromMetadata(question.metadata);
      const idempotencyKey = request.headers['idempotency-key'];
      const turn = await agentChat.regenerate(
        {
          principal, agentId, conversationId: ref.conversation.id, userMessage: question,
          files: refs.length > 0 ? await files.readForPrompt(userId, refs.map((entry) => entry.id)) : [],
          ...(answer ? { responseChatItemId: dataIdOf(answer) } : {}),
          ...(typeof idempotencyKey === 'string' && idempotencyKey !== '' ? { idempotencyKey } : {}),
          surface: 'llmchat',
        },
        ref.chatId,
      );
      return replyWithTurn(request, reply, chat, turn, request.body.stream) as Promise<z.infer<typeof agentChatReplySchema>>;
    },
  );

  routes.post(
    '/api/chat/feedback',
    {
      schema: {
        tags, summary: 'Rate an answer (thumbs up or down)',
        description:
          '`userGoodFeedback` or `userBadFeedback` set to any non-empty value rates the answer; sending neither clears the rating. ' +
          '`dataId` (or `messageId`) is the message id, or with `chatId` the client\'s id for the answer.',
        body: feedbackBodySchema, response: { 200: feedbackReplySchema },
      },
    },
    async (request) => {
      const body = request.body;
      const good = isSet(body.userGoodFeedback);
      const bad = isSet(body.userBadFeedback);
      if (good && bad) throw validationError('send userGoodFeedback or userBadFeedback, not both');
      const feedback: Feedback | null = good ? 'good' : bad ? 'bad' : null;
      const result = await history.setFeedback(principalOf(request).user.id, {
        ...(body.chatId ? { chatId: body.chatId } : {}), dataId: (body.dataId ?? body.messageId)!, feedback,
      });
      return success(result, feedback ? 'Feedback saved' : 'Feedback cleared');
    },
  );
}
