import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ConversationService } from '../../conversations/conversation-service.ts';
import type { AppDependencies } from '../../dependencies.ts';
import { principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, success } from '../envelope.ts';
import {
  messageLimitQuerySchema,
  messageListDataSchema,
  messageListParamsSchema,
  messageListQuerySchema,
  messageParamsSchema,
} from './message-schemas.ts';
import { messageView } from './message-view.ts';

const tags = ['messages'];

async function messageList(conversations: ConversationService, userId: string, conversationId: string, limit: number) {
  const { conversation, messages, firstUserMessage } = await conversations.recentMessages(userId, conversationId, limit);
  return success({
    messages: messages.map(messageView),
    title: conversation.title,
    first_message: firstUserMessage?.content ?? null,
  });
}

/**
 * Luxx's `/api/messages` reads and deletes. Sending (`POST /api/messages` and
 * `/api/messages/stream`) belongs to the chat engine, so no POST is registered here.
 */
export function registerMessageRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { conversations } = dependencies.services;

  routes.get(
    '/api/messages',
    {
      schema: {
        tags,
        summary: "A conversation's newest messages, oldest first (Luxx)",
        querystring: messageListQuerySchema,
        response: { 200: envelopeSchema(messageListDataSchema) },
      },
    },
    async (request) =>
      messageList(conversations, principalOf(request).user.id, request.query.conversation_id, request.query.limit),
  );

  routes.get(
    '/api/messages/:conversationId',
    {
      schema: {
        tags,
        summary: "A conversation's newest messages, oldest first (Luxx short form)",
        params: messageListParamsSchema,
        querystring: messageLimitQuerySchema,
        response: { 200: envelopeSchema(messageListDataSchema) },
      },
    },
    async (request) =>
      messageList(conversations, principalOf(request).user.id, request.params.conversationId, request.query.limit),
  );

  routes.delete(
    '/api/messages/:id',
    {
      schema: {
        tags,
        summary: 'Delete one message',
        params: messageParamsSchema,
        response: { 200: emptyEnvelopeSchema },
      },
    },
    async (request) => {
      await conversations.deleteMessage(principalOf(request).user.id, request.params.id);
      return success(null, 'Message deleted');
    },
  );
}
