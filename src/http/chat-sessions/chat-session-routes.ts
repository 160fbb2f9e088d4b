import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDependencies } from '../../dependencies.ts';
import { principalOf } from '../auth-hook.ts';
import { envelopeSchema, pageOf, paginated, success } from '../envelope.ts';
import {
  chatSessionParamsSchema,
  historyDataSchema,
  historyMessageView,
  historyQuerySchema,
  saveSessionBodySchema,
  saveSessionDataSchema,
} from './chat-session-schemas.ts';

const tags = ['chat sessions (LLMChat)'];
const defaultHistoryLimit = 50;

/** LLMChat's `/api/chat/sessions`: paged history and whole-transcript saves, enveloped. */
export function registerChatSessionRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { conversations } = dependencies.services;

  routes.get(
    '/api/chat/sessions/:id/history',
    {
      schema: {
        tags,
        summary: 'A page of history: page 1 is the newest messages; each page reads oldest first',
        params: chatSessionParamsSchema,
        querystring: historyQuerySchema,
        response: { 200: envelopeSchema(historyDataSchema) },
      },
    },
    async (request) => {
      const { page, limit } = pageOf(request.query, defaultHistoryLimit);
      const history = await conversations.historyPage(principalOf(request).user.id, request.params.id, {
        page,
        limit,
        beforeId: request.query.before,
      });
      return success({
        sessionId: history.conversation.id,
        title: history.conversation.title,
        ...paginated(history.messages.map(historyMessageView), history.total, page, limit),
      });
    },
  );

  routes.post(
    '/api/chat/sessions/save',
    {
      schema: {
        tags,
        summary: 'Save a whole transcript, creating the session under its id when new',
        body: saveSessionBodySchema,
        response: { 200: envelopeSchema(saveSessionDataSchema) },
      },
    },
    async (request) => {
      const { sessionId, title, agentId, messages } = request.body;
      const saved = await conversations.saveTranscript(principalOf(request).user.id, {
        id: sessionId,
        title: title || undefined,
        agentId,
        messages,
      });
      return success(
        { sessionId: saved.conversation.id, title: saved.conversation.title, messageCount: saved.messageCount },
        'Session saved',
      );
    },
  );
}
