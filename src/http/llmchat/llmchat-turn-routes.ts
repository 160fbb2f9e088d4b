import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatService } from '../../chat/chat-service.ts';
import { LlmChatEncoder } from '../../streaming/llmchat-encoder.ts';
import { parseEventCursor } from '../../streaming/sse-frame.ts';
import { principalOf } from '../auth-hook.ts';
import { envelopeSchema, success } from '../envelope.ts';
import { streamSse } from '../sse-stream.ts';
import { eventStreamSchema, resumeHeadersSchema, turnParamsSchema } from './llmchat-schemas.ts';

const tags = ['llmchat'];

/**
 * Resume and stop for LLMChat's agent chat. LLMChat documents neither, so they follow its paths:
 * the stream's `x-message-id` names the turn. (The Luxx routes `/api/messages/{id}/stream` and
 * `/stop` reach the same turns.)
 */
export function registerLlmChatTurnRoutes(app: FastifyInstance, chat: ChatService): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/chat/completions/:messageId/stream',
    {
      schema: {
        tags,
        summary: "Resume an agent chat's stream (LLMChat SSE)",
        description: 'Send `Last-Event-ID` with the id of the last frame received; every later frame arrives once.',
        params: turnParamsSchema,
        headers: resumeHeadersSchema,
        querystring: z.object({ last_event_id: z.string().max(20).optional() }),
        response: { 200: eventStreamSchema },
      },
    },
    async (request, reply) => {
      const userId = principalOf(request).user.id;
      const afterSeq = parseEventCursor(request.headers['last-event-id'], request.query.last_event_id);
      await streamSse(request, reply, (signal) => chat.events(userId, request.params.messageId, afterSeq, signal), new LlmChatEncoder(afterSeq), {
        headers: { 'x-message-id': request.params.messageId },
      });
    },
  );

  routes.post(
    '/api/chat/completions/:messageId/stop',
    {
      schema: {
        tags,
        summary: 'Stop a running agent chat',
        description: 'Aborts the upstream call; the answer so far is kept as `cancelled`.',
        params: turnParamsSchema,
        response: { 200: envelopeSchema(z.object({ stopped: z.boolean() })) },
      },
    },
    async (request) => {
      const result = await chat.stop(principalOf(request).user.id, request.params.messageId);
      return success(result, result.stopped ? 'Stopping' : 'The turn had already ended');
    },
  );
}
