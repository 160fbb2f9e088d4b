import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionGroupService } from '../../app-model/session-group-service.ts';
import { principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, success } from '../envelope.ts';
import {
  createSessionGroupBodySchema,
  moveBodySchema,
  reorderBodySchema,
  sessionGroupParamsSchema,
  sessionGroupView,
  sessionGroupViewSchema,
  updateSessionGroupBodySchema,
} from './session-group-schemas.ts';

const tags = ['session groups (LobeChat)'];
const groupListSchema = envelopeSchema(z.object({ groups: z.array(sessionGroupViewSchema) }));

/** LobeChat's sessionGroup router as REST: folders of conversations and agents, in the caller's order. */
export function registerSessionGroupRoutes(app: FastifyInstance, groups: SessionGroupService): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const userIdOf = (request: Parameters<typeof principalOf>[0]) => principalOf(request).user.id;

  routes.get(
    '/api/session-groups',
    { schema: { tags, summary: 'Your session groups in order, with their conversations and agents', response: { 200: groupListSchema } } },
    async (request) => success({ groups: (await groups.list(userIdOf(request))).map(sessionGroupView) }),
  );

  routes.post(
    '/api/session-groups',
    {
      schema: { tags, summary: 'Create a group (last, unless sort is given)', body: createSessionGroupBodySchema, response: { 200: envelopeSchema(sessionGroupViewSchema) } },
    },
    async (request) =>
      success(sessionGroupView(await groups.create(userIdOf(request), { name: request.body.name, sortIndex: request.body.sort })), 'Session group created'),
  );

  routes.delete(
    '/api/session-groups',
    { schema: { tags, summary: 'Delete all your groups; their members stay, ungrouped', response: { 200: envelopeSchema(z.object({ deleted: z.number().int() })) } } },
    async (request) => success({ deleted: await groups.deleteAll(userIdOf(request)) }, 'Session groups deleted'),
  );

  routes.put(
    '/api/session-groups/order',
    {
      schema: {
        tags,
        summary: 'Reorder groups: the listed ids get positions 0, 1, 2 …; unlisted groups follow',
        body: reorderBodySchema,
        response: { 200: groupListSchema },
      },
    },
    async (request) => success({ groups: (await groups.reorder(userIdOf(request), request.body.ids)).map(sessionGroupView) }, 'Session groups reordered'),
  );

  routes.put(
    '/api/session-groups/members',
    {
      schema: {
        tags,
        summary: 'Move a conversation or one of your agents into a group (group_id null: out of its group)',
        body: moveBodySchema,
        response: { 200: emptyEnvelopeSchema },
      },
    },
    async (request) => {
      await groups.move(userIdOf(request), request.body.kind, request.body.id, request.body.group_id);
      return success(null, request.body.group_id === null ? 'Removed from its group' : 'Moved into the group');
    },
  );

  routes.get(
    '/api/session-groups/:id',
    { schema: { tags, summary: 'One group', params: sessionGroupParamsSchema, response: { 200: envelopeSchema(sessionGroupViewSchema) } } },
    async (request) => success(sessionGroupView(await groups.get(userIdOf(request), request.params.id))),
  );

  routes.put(
    '/api/session-groups/:id',
    {
      schema: {
        tags,
        summary: 'Rename a group or change its sort index',
        params: sessionGroupParamsSchema,
        body: updateSessionGroupBodySchema,
        response: { 200: envelopeSchema(sessionGroupViewSchema) },
      },
    },
    async (request) =>
      success(
        sessionGroupView(await groups.update(userIdOf(request), request.params.id, { name: request.body.name, sortIndex: request.body.sort })),
        'Session group updated',
      ),
  );

  routes.delete(
    '/api/session-groups/:id',
    { schema: { tags, summary: 'Delete a group; its members stay, ungrouped', params: sessionGroupParamsSchema, response: { 200: emptyEnvelopeSchema } } },
    async (request) => {
      await groups.delete(userIdOf(request), request.params.id);
      return success(null, 'Session group deleted');
    },
  );
}
