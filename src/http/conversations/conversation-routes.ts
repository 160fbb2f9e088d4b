import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDependencies } from '../../dependencies.ts';
import { principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, pageOf, paginated, paginatedSchema, success } from '../envelope.ts';
import {
  conversationFieldsOf,
  conversationListQuerySchema,
  conversationParamsSchema,
  createConversationBodySchema,
  updateConversationBodySchema,
} from './conversation-schemas.ts';
import { conversationView, conversationViewSchema } from './conversation-view.ts';

const tags = ['conversations'];

/** Luxx's `/api/conversations`: the enveloped view of the one conversation store. */
export function registerConversationRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { conversations } = dependencies.services;

  routes.get(
    '/api/conversations',
    {
      schema: {
        tags,
        summary: 'List your conversations, most recently updated first',
        querystring: conversationListQuerySchema,
        response: { 200: envelopeSchema(paginatedSchema(conversationViewSchema)) },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const { items, total } = await conversations.list(principalOf(request).user.id, {
        offset,
        limit,
        projectId: request.query.project_id,
      });
      return success(paginated(items.map(conversationView), total, page, limit));
    },
  );

  routes.post(
    '/api/conversations',
    {
      schema: {
        tags,
        summary: 'Create a conversation',
        body: createConversationBodySchema,
        response: { 200: envelopeSchema(conversationViewSchema) },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const fields = conversationFieldsOf({ ...body, title: body.title || undefined });
      const conversation = await conversations.create(principalOf(request).user.id, fields);
      return success(conversationView(conversation), 'Conversation created');
    },
  );

  routes.get(
    '/api/conversations/:id',
    {
      schema: {
        tags,
        summary: 'One conversation',
        params: conversationParamsSchema,
        response: { 200: envelopeSchema(conversationViewSchema) },
      },
    },
    async (request) => success(conversationView(await conversations.get(principalOf(request).user.id, request.params.id))),
  );

  routes.put(
    '/api/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Change a conversation; absent fields keep their value, null clears one',
        params: conversationParamsSchema,
        body: updateConversationBodySchema,
        response: { 200: envelopeSchema(conversationViewSchema) },
      },
    },
    async (request) => {
      const conversation = await conversations.update(
        principalOf(request).user.id,
        request.params.id,
        conversationFieldsOf(request.body),
      );
      return success(conversationView(conversation), 'Conversation updated');
    },
  );

  routes.delete(
    '/api/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Delete a conversation and its messages',
        params: conversationParamsSchema,
        response: { 200: emptyEnvelopeSchema },
      },
    },
    async (request) => {
      await conversations.delete(principalOf(request).user.id, request.params.id);
      return success(null, 'Conversation deleted');
    },
  );
}
