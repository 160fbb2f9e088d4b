import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TopicService } from '../../app-model/topic-service.ts';
import type { Topic } from '../../storage/repositories/topics-repository.ts';
import { principalOf } from '../auth-hook.ts';
import { conversationView, conversationViewSchema } from '../conversations/conversation-view.ts';
import { envelopeSchema, pageOf, pageQuerySchema, paginated, paginatedSchema, success } from '../envelope.ts';

const tags = ['topics (LobeChat)'];

const topicViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  agent_id: z.string().nullable(),
  favorite: z.boolean(),
  session_group_id: z.string().nullable(),
  message_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});

function topicView(topic: Topic): z.infer<typeof topicViewSchema> {
  return {
    id: topic.id,
    title: topic.title,
    agent_id: topic.agentId,
    favorite: topic.favorite,
    session_group_id: topic.sessionGroupId,
    message_count: topic.messageCount,
    created_at: topic.createdAt,
    updated_at: topic.updatedAt,
  };
}

const topicListQuerySchema = pageQuerySchema.extend({
  /** Absent: the inbox (conversations without an agent). */
  agent_id: z.string().min(1).max(128).optional(),
  favorite: z.enum(['true', 'false']).optional(),
});
const idParamsSchema = z.object({ id: z.string().min(1).max(128) });
const updateTopicBodySchema = z
  .object({ title: z.string().trim().min(1).max(500).optional(), favorite: z.boolean().optional() })
  .refine((body) => body.title !== undefined || body.favorite !== undefined, 'give title or favorite');
const cloneBodySchema = z.object({ title: z.string().trim().min(1).max(500).optional() }).optional();

/** LobeChat's topic router as REST: an agent's conversations, favourite, rename, clone. */
export function registerTopicRoutes(app: FastifyInstance, topics: TopicService): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/topics',
    {
      schema: {
        tags,
        summary: "An agent's conversations (agent_id), favourites first; without agent_id, those with no agent",
        querystring: topicListQuerySchema,
        response: { 200: envelopeSchema(paginatedSchema(topicViewSchema)) },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const { items, total } = await topics.list(principalOf(request).user.id, {
        agentId: request.query.agent_id ?? null, favoriteOnly: request.query.favorite === 'true', offset, limit,
      });
      return success(paginated(items.map(topicView), total, page, limit));
    },
  );

  routes.get(
    '/api/topics/:id',
    { schema: { tags, summary: 'One topic', params: idParamsSchema, response: { 200: envelopeSchema(topicViewSchema) } } },
    async (request) => success(topicView(await topics.get(principalOf(request).user.id, request.params.id))),
  );

  routes.patch(
    '/api/topics/:id',
    {
      schema: { tags, summary: 'Rename a topic or mark it favourite', params: idParamsSchema, body: updateTopicBodySchema, response: { 200: envelopeSchema(topicViewSchema) } },
    },
    async (request) => success(topicView(await topics.update(principalOf(request).user.id, request.params.id, request.body)), 'Topic updated'),
  );

  for (const path of ['/api/topics/:id/clone', '/api/conversations/:id/clone']) {
    routes.post(
      path,
      {
        schema: {
          tags,
          summary: 'Clone a conversation with all its message branches; the copy has new ids and the same active branch',
          params: idParamsSchema,
          body: cloneBodySchema,
          response: { 200: envelopeSchema(conversationViewSchema) },
        },
      },
      async (request) =>
        success(conversationView(await topics.clone(principalOf(request).user.id, request.params.id, request.body?.title)), 'Conversation cloned'),
    );
  }
}
