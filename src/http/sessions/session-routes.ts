import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDependencies } from '../../dependencies.ts';
import { principalOf } from '../auth-hook.ts';
import {
  createSessionBodySchema,
  createSessionMessageBodySchema,
  deletedSessionSchema,
  historyEntrySchema,
  sessionListQuerySchema,
  sessionMessagesQuerySchema,
  sessionMessageView,
  sessionMessageViewSchema,
  sessionParamsSchema,
  sessionView,
  sessionViewSchema,
  updateSessionBodySchema,
} from './session-schemas.ts';

const tags = ['sessions (StellarByte)'];

/**
 * StellarByte's `/api/sessions`: bare JSON exactly as its spec shows, over the same stored
 * conversations as `/api/conversations`. Errors here are rendered bare by the error handler.
 */
export function registerSessionRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { conversations } = dependencies.services;

  routes.post(
    '/api/sessions',
    {
      schema: { tags, summary: 'Create a session', body: createSessionBodySchema, response: { 200: sessionViewSchema } },
    },
    async (request) => {
      const title = request.body?.title || undefined;
      return sessionView(await conversations.create(principalOf(request).user.id, { title }));
    },
  );

  routes.get(
    '/api/sessions',
    {
      schema: {
        tags,
        summary: 'List sessions, most recently updated first',
        querystring: sessionListQuerySchema,
        response: { 200: z.array(sessionViewSchema) },
      },
    },
    async (request) => {
      const { skip, limit, active_only: activeOnly } = request.query;
      const { items } = await conversations.list(principalOf(request).user.id, { offset: skip, limit, activeOnly });
      return items.map(sessionView);
    },
  );

  routes.get(
    '/api/sessions/:id',
    { schema: { tags, summary: 'One session', params: sessionParamsSchema, response: { 200: sessionViewSchema } } },
    async (request) => sessionView(await conversations.get(principalOf(request).user.id, request.params.id)),
  );

  routes.put(
    '/api/sessions/:id',
    {
      schema: {
        tags,
        summary: 'Rename a session or change whether it is active',
        params: sessionParamsSchema,
        body: updateSessionBodySchema,
        response: { 200: sessionViewSchema },
      },
    },
    async (request) => {
      const { title, is_active: isActive } = request.body;
      return sessionView(await conversations.update(principalOf(request).user.id, request.params.id, { title, isActive }));
    },
  );

  routes.delete(
    '/api/sessions/:id',
    {
      schema: {
        tags,
        summary: 'Delete a session and its messages',
        params: sessionParamsSchema,
        response: { 200: deletedSessionSchema },
      },
    },
    async (request) => {
      await conversations.delete(principalOf(request).user.id, request.params.id);
      return { message: 'Session deleted successfully' };
    },
  );

  routes.post(
    '/api/sessions/:id/messages',
    {
      schema: {
        tags,
        summary: 'Store a message in a session (no model is called)',
        params: sessionParamsSchema,
        body: createSessionMessageBodySchema,
        response: { 200: sessionMessageViewSchema },
      },
    },
    async (request) => {
      const { role, content, tokens, metadata_info: metadata } = request.body;
      const message = await conversations.addMessage(principalOf(request).user.id, request.params.id, {
        role,
        content,
        tokenCount: tokens ?? 0,
        metadata: metadata ?? {},
      });
      return sessionMessageView(message);
    },
  );

  routes.get(
    '/api/sessions/:id/messages',
    {
      schema: {
        tags,
        summary: "A session's messages, oldest first",
        params: sessionParamsSchema,
        querystring: sessionMessagesQuerySchema,
        response: { 200: z.array(sessionMessageViewSchema) },
      },
    },
    async (request) => {
      const { skip, limit } = request.query;
      const messages = await conversations.listMessages(principalOf(request).user.id, request.params.id, { offset: skip, limit });
      return messages.map(sessionMessageView);
    },
  );

  routes.get(
    '/api/sessions/:id/history',
    {
      schema: {
        tags,
        summary: "A session's whole history as role and content, for model input",
        params: sessionParamsSchema,
        response: { 200: z.array(historyEntrySchema) },
      },
    },
    async (request) => conversations.transcript(principalOf(request).user.id, request.params.id),
  );
}
