import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ThreadService } from '../../app-model/thread-service.ts';
import type { Thread } from '../../storage/repositories/threads-repository.ts';
import { principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, success } from '../envelope.ts';

const tags = ['threads (LobeChat)'];
const statusSchema = z.enum(['active', 'deprecated', 'archived']);

const threadViewSchema = z.object({
  /** Also the id of the thread's own conversation: send messages to it like any conversation. */
  id: z.string(),
  title: z.string(),
  type: z.enum(['continuation', 'standalone']),
  status: statusSchema,
  source_conversation_id: z.string(),
  source_message_id: z.string(),
  parent_thread_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

function threadView(thread: Thread): z.infer<typeof threadViewSchema> {
  return {
    id: thread.id,
    title: thread.title,
    type: thread.type,
    status: thread.status,
    source_conversation_id: thread.sourceConversationId,
    source_message_id: thread.sourceMessageId,
    parent_thread_id: thread.parentThreadId,
    created_at: thread.createdAt,
    updated_at: thread.updatedAt,
  };
}

const id = z.string().min(1).max(128);
const createThreadBodySchema = z.object({
  conversation_id: id,
  source_message_id: id,
  type: z.enum(['continuation', 'standalone']).default('continuation'),
  title: z.string().trim().min(1).max(500).optional(),
  parent_thread_id: id.nullable().optional(),
});
const updateThreadBodySchema = z
  .object({ title: z.string().trim().min(1).max(500).optional(), status: statusSchema.optional() })
  .refine((body) => body.title !== undefined || body.status !== undefined, 'give title or status');

/** LobeChat's thread router as REST. */
export function registerThreadRoutes(app: FastifyInstance, threads: ThreadService): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/api/threads',
    {
      schema: {
        tags,
        summary: 'Branch a thread from a message: continuation starts with the message and its ancestors, standalone with the message only',
        body: createThreadBodySchema,
        response: { 200: envelopeSchema(threadViewSchema) },
      },
    },
    async (request) => {
      const { conversation_id, source_message_id, type, title, parent_thread_id } = request.body;
      const thread = await threads.create(principalOf(request).user.id, {
        sourceConversationId: conversation_id, sourceMessageId: source_message_id, type, title, parentThreadId: parent_thread_id,
      });
      return success(threadView(thread), 'Thread created');
    },
  );

  routes.get(
    '/api/threads',
    {
      schema: {
        tags,
        summary: 'Threads branched from a conversation, newest first',
        querystring: z.object({ conversation_id: id }),
        response: { 200: envelopeSchema(z.object({ threads: z.array(threadViewSchema) })) },
      },
    },
    async (request) => success({ threads: (await threads.list(principalOf(request).user.id, request.query.conversation_id)).map(threadView) }),
  );

  routes.get(
    '/api/threads/:id',
    { schema: { tags, summary: 'One thread', params: z.object({ id }), response: { 200: envelopeSchema(threadViewSchema) } } },
    async (request) => success(threadView(await threads.get(principalOf(request).user.id, request.params.id))),
  );

  routes.patch(
    '/api/threads/:id',
    {
      schema: { tags, summary: 'Rename a thread or change its status', params: z.object({ id }), body: updateThreadBodySchema, response: { 200: envelopeSchema(threadViewSchema) } },
    },
    async (request) => success(threadView(await threads.update(principalOf(request).user.id, request.params.id, request.body)), 'Thread updated'),
  );

  routes.delete(
    '/api/threads/:id',
    { schema: { tags, summary: "Delete a thread and its messages (the source conversation stays)", params: z.object({ id }), response: { 200: emptyEnvelopeSchema } } },
    async (request) => {
      await threads.delete(principalOf(request).user.id, request.params.id);
      return success(null, 'Thread deleted');
    },
  );
}
