import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SearchService } from '../../app-model/search-service.ts';
import { principalOf } from '../auth-hook.ts';
import { envelopeSchema, pageOf, pageQuerySchema, paginated, paginatedSchema, success } from '../envelope.ts';

const tags = ['search'];

const messageHitSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  conversation_title: z.string(),
  role: z.string(),
  content: z.string(),
  created_at: z.string(),
});
const conversationHitSchema = z.object({ id: z.string(), title: z.string(), agent_id: z.string().nullable(), updated_at: z.string() });

const searchQuerySchema = pageQuerySchema.extend({
  q: z.string().max(500),
  type: z.enum(['all', 'messages', 'conversations']).default('all'),
});

/**
 * Full-text search over the caller's own conversation titles and message contents (LobeChat's
 * searchMessages / searchTopics). Every word must match; quotes and operators are plain text.
 */
export function registerConversationSearchRoutes(app: FastifyInstance, search: SearchService): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/search',
    {
      schema: {
        tags,
        summary: 'Find your messages and conversations by words; best matches first, both lists paged alike',
        querystring: searchQuerySchema,
        response: {
          200: envelopeSchema(
            z.object({ query: z.string(), terms: z.array(z.string()), messages: paginatedSchema(messageHitSchema), conversations: paginatedSchema(conversationHitSchema) }),
          ),
        },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const found = await search.search(principalOf(request).user.id, request.query.q, request.query.type, { offset, limit });
      return success({
        query: request.query.q,
        terms: found.terms,
        messages: paginated(
          found.messages.items.map((hit) => ({
            id: hit.id, conversation_id: hit.conversationId, conversation_title: hit.conversationTitle, role: hit.role, content: hit.content, created_at: hit.createdAt,
          })),
          found.messages.total, page, limit,
        ),
        conversations: paginated(
          found.conversations.items.map((hit) => ({ id: hit.id, title: hit.title, agent_id: hit.agentId, updated_at: hit.updatedAt })),
          found.conversations.total, page, limit,
        ),
      });
    },
  );
}
