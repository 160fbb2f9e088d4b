import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MessageOperationsService } from '../../app-model/message-operations-service.ts';
import { principalOf } from '../auth-hook.ts';
import { envelopeSchema, success } from '../envelope.ts';
import {
  deleteMessagesBodySchema,
  idParamsSchema,
  translateBodySchema,
  translationSchema,
  treeMessageView,
  treeMessageViewSchema,
  updateMessageBodySchema,
} from './message-tree-schemas.ts';

const tags = ['messages'];

/** LobeChat's message router as REST: update, delete one or many, translate. */
export function registerMessageOperationRoutes(app: FastifyInstance, operations: MessageOperationsService): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.patch(
    '/api/messages/:id',
    {
      schema: {
        tags,
        summary: "Change a message's content and/or merge into its metadata (not while it is being generated)",
        params: idParamsSchema,
        body: updateMessageBodySchema,
        response: { 200: envelopeSchema(treeMessageViewSchema) },
      },
    },
    async (request) => success(treeMessageView(await operations.update(principalOf(request).user.id, request.params.id, request.body)), 'Message updated'),
  );

  routes.post(
    '/api/messages/delete',
    {
      schema: {
        tags,
        summary: 'Delete messages of one conversation by ids, or the active branch from from_id to to_id',
        description:
          "Children of a deleted message move up to its nearest surviving ancestor, so the rest of the conversation stays connected; include_descendants deletes the branches below the selected messages too.",
        body: deleteMessagesBodySchema,
        response: { 200: envelopeSchema(z.object({ deleted: z.number().int(), conversation_id: z.string() })) },
      },
    },
    async (request) => {
      const body = request.body;
      const selection =
        'ids' in body
          ? { ids: body.ids, includeDescendants: body.include_descendants }
          : { conversationId: body.conversation_id, fromId: body.from_id, toId: body.to_id, includeDescendants: body.include_descendants };
      const result = await operations.delete(principalOf(request).user.id, selection);
      return success({ deleted: result.deleted, conversation_id: result.conversationId }, 'Messages deleted');
    },
  );

  routes.post(
    '/api/messages/:id/translate',
    {
      schema: {
        tags,
        summary: 'Translate a message with a chosen (or your default) model; stored as metadata.translation and returned',
        params: idParamsSchema,
        body: translateBodySchema,
        response: { 200: envelopeSchema(translationSchema) },
      },
    },
    async (request) => {
      const body = request.body;
      const translation = await operations.translate(principalOf(request).user.id, request.params.id, {
        to: body.target_language, from: body.source_language, providerId: body.provider_id, model: body.model,
      });
      return success(
        { content: translation.content, to: translation.to, from: translation.from, provider_id: translation.providerId, model: translation.model, created_at: translation.createdAt },
        'Message translated',
      );
    },
  );
}
