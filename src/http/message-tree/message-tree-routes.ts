import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MessageTreeService } from '../../app-model/message-tree-service.ts';
import type { ChatService, StartedTurn } from '../../chat/chat-service.ts';
import { principalOf } from '../auth-hook.ts';
import { envelopeSchema, success } from '../envelope.ts';
import {
  editBodySchema,
  idParamsSchema,
  regenerateBodySchema,
  startedTurnSchema,
  treeMessageView,
  treeMessageViewSchema,
  turnCallerOf,
} from './message-tree-schemas.ts';

const tags = ['message tree'];

/** Waits for the answer unless the client asked not to; a client that leaves stops only the waiting. */
async function turnAnswer(chat: ChatService, userId: string, turn: StartedTurn, wait: boolean, reply: FastifyReply) {
  let assistant = turn.assistantMessage;
  if (wait) {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.once('close', onClose);
    try {
      assistant = await chat.awaitResult(userId, turn.turnId, gone.signal);
    } finally {
      reply.raw.off('close', onClose);
    }
  }
  return success({
    turn_id: turn.turnId, conversation_id: turn.conversationId, user_message: treeMessageView(turn.userMessage), assistant_message: treeMessageView(assistant),
  });
}

/** Branching: the tree of a conversation, siblings, switching branches, edit and regenerate. */
export function registerMessageTreeRoutes(app: FastifyInstance, tree: MessageTreeService, chat: ChatService): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/conversations/:id/tree',
    {
      schema: {
        tags,
        summary: 'Every message of a conversation (all branches) with the active branch',
        params: idParamsSchema,
        response: {
          200: envelopeSchema(
            z.object({ messages: z.array(treeMessageViewSchema), selected_message_id: z.string().nullable(), active_leaf_id: z.string().nullable(), active_path: z.array(z.string()) }),
          ),
        },
      },
    },
    async (request) => {
      const found = await tree.tree(principalOf(request).user.id, request.params.id);
      return success({
        messages: found.messages.map(treeMessageView), selected_message_id: found.selectedMessageId, active_leaf_id: found.activeLeafId, active_path: found.activePath,
      });
    },
  );

  routes.get(
    '/api/messages/:id/siblings',
    {
      schema: {
        tags,
        summary: 'The alternatives at this point of the conversation (same parent), oldest first',
        params: idParamsSchema,
        response: { 200: envelopeSchema(z.object({ siblings: z.array(treeMessageViewSchema), index: z.number().int(), active_sibling_id: z.string().nullable() })) },
      },
    },
    async (request) => {
      const found = await tree.siblings(principalOf(request).user.id, request.params.id);
      return success({ siblings: found.siblings.map(treeMessageView), index: found.index, active_sibling_id: found.activeSiblingId });
    },
  );

  routes.post(
    '/api/messages/:id/switch',
    {
      schema: {
        tags,
        summary: 'Make the branch through this message active (its newest descendant becomes the leaf); returns that branch',
        params: idParamsSchema,
        response: { 200: envelopeSchema(z.object({ messages: z.array(treeMessageViewSchema) })) },
      },
    },
    async (request) => success({ messages: (await tree.switchTo(principalOf(request).user.id, request.params.id)).map(treeMessageView) }, 'Branch switched'),
  );

  routes.post(
    '/api/messages/:id/edit',
    {
      schema: {
        tags,
        summary: 'Edit a user message into a new branch: a sibling with the new text, answered anew; the old branch is kept',
        params: idParamsSchema,
        body: editBodySchema,
        response: { 200: envelopeSchema(startedTurnSchema) },
      },
    },
    async (request, reply) => {
      const caller = turnCallerOf(request, request.body);
      const turn = await tree.edit(caller, request.params.id, request.body.content);
      return turnAnswer(chat, caller.userId, turn, request.body.wait, reply);
    },
  );

  routes.post(
    '/api/messages/:id/regenerate',
    {
      schema: {
        tags,
        summary: 'Answer a user message again (or the user message an answer replies to); the new answer is a sibling of the old ones',
        params: idParamsSchema,
        body: regenerateBodySchema,
        response: { 200: envelopeSchema(startedTurnSchema) },
      },
    },
    async (request, reply) => {
      const caller = turnCallerOf(request, request.body);
      const turn = await tree.regenerate(caller, request.params.id);
      return turnAnswer(chat, caller.userId, turn, request.body?.wait ?? true, reply);
    },
  );
}
