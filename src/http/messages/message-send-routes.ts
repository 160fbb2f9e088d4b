import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDependencies } from '../../dependencies.ts';
import { LuxxEncoder } from '../../streaming/luxx-encoder.ts';
import { parseEventCursor } from '../../streaming/sse-frame.ts';
import { principalOf } from '../auth-hook.ts';
import { envelopeSchema, success } from '../envelope.ts';
import { streamSse } from '../sse-stream.ts';
import {
  eventStreamSchema,
  resumeHeadersSchema,
  resumeQuerySchema,
  sendMessageBodySchema,
  sendMessageHeadersSchema,
  sentMessagesSchema,
  stopResultSchema,
  turnParamsSchema,
} from './message-send-schemas.ts';
import { messageView } from './message-view.ts';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

const tags = ['messages'];

function turnRequest(request: FastifyRequest, body: z.infer<typeof sendMessageBodySchema>, idempotencyKey?: string) {
  const principal = principalOf(request);
  return {
    userId: principal.user.id,
    apiKeyId: principal.apiKeyId ?? null,
    permissionLevel: principal.permissionLevel,
    conversationId: body.conversation_id,
    content: body.content,
    thinkingEnabled: body.thinking_enabled,
    enabledTools: body.enabled_tools,
    providerId: body.provider_id,
    model: body.model,
    idempotencyKey,
    surface: 'luxx',
  };
}

/** Luxx's sending routes: a turn runs on the chat engine; these start it, follow it and stop it. */
export function registerMessageSendRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { chat } = dependencies.services;

  routes.post(
    '/api/messages',
    {
      schema: {
        tags,
        summary: 'Send a message and wait for the whole answer (Luxx)',
        description: 'The turn runs on the server whatever happens to this request; an `Idempotency-Key` header makes a retry return the same turn.',
        headers: sendMessageHeadersSchema,
        body: sendMessageBodySchema,
        response: { 200: envelopeSchema(sentMessagesSchema) },
      },
    },
    async (request, reply) => {
      const turn = await chat.start(turnRequest(request, request.body, request.headers['idempotency-key']));
      // A client that gives up stops only the waiting; the turn goes on and is saved.
      const gone = new AbortController();
      // The response's 'close' (not the request's, which fires once its body is read) means the client left.
      const onClose = () => gone.abort();
      reply.raw.once('close', onClose);
      let assistant;
      try {
        assistant = await chat.awaitResult(principalOf(request).user.id, turn.turnId, gone.signal);
      } finally {
        reply.raw.off('close', onClose);
      }
      return success({ user_message: messageView(turn.userMessage), assistant_message: messageView(assistant) });
    },
  );

  routes.post(
    '/api/messages/stream',
    {
      schema: {
        tags,
        summary: 'Send a message and stream the answer as process steps (Luxx SSE)',
        description:
          'Response headers `x-message-id` (the assistant message, also the turn id) and `x-conversation-id` name the turn; resume it at GET /api/messages/{id}/stream and stop it at POST /api/messages/{id}/stop.',
        headers: sendMessageHeadersSchema,
        body: sendMessageBodySchema,
        response: { 200: eventStreamSchema },
      },
    },
    async (request, reply) => {
      const userId = principalOf(request).user.id;
      const turn = await chat.start(turnRequest(request, request.body, request.headers['idempotency-key']));
      await streamSse(request, reply, (signal) => chat.events(userId, turn.turnId, 0, signal), new LuxxEncoder(0), {
        headers: { 'x-message-id': turn.turnId, 'x-user-message-id': turn.userMessage.id, 'x-conversation-id': turn.conversationId },
      });
    },
  );

  routes.get(
    '/api/messages/:id/stream',
    {
      schema: {
        tags,
        summary: "Resume a turn's stream after the last event seen",
        description: 'Send `Last-Event-ID` (or `?last_event_id=`) with the id of the last frame received; every later frame arrives once.',
        params: turnParamsSchema,
        headers: resumeHeadersSchema,
        querystring: resumeQuerySchema,
        response: { 200: eventStreamSchema },
      },
    },
    async (request, reply) => {
      const userId = principalOf(request).user.id;
      const afterSeq = parseEventCursor(request.headers['last-event-id'], request.query.last_event_id);
      await streamSse(
        request,
        reply,
        (signal) => chat.events(userId, request.params.id, afterSeq, signal, { includeEarlier: true }),
        new LuxxEncoder(afterSeq),
        { headers: { 'x-message-id': request.params.id } },
      );
    },
  );

  routes.post(
    '/api/messages/:id/stop',
    {
      schema: {
        tags,
        summary: 'Stop a running turn',
        description: 'Aborts the upstream model call and any running tool; the answer so far is kept and marked `cancelled`.',
        params: turnParamsSchema,
        response: { 200: envelopeSchema(stopResultSchema) },
      },
    },
    async (request) => {
      const result = await chat.stop(principalOf(request).user.id, request.params.id);
      return success(result, result.stopped ? 'Stopping' : 'The turn had already ended');
    },
  );
}
