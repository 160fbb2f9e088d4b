import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDependencies } from '../../dependencies.ts';
import { AppError } from '../../errors/app-error.ts';
import { principalOf } from '../auth-hook.ts';
import { parseCursor, serveChatSocket } from './ws-chat-connection.ts';
import { registerWebSocketPlugin } from './ws-upgrade.ts';

const paths = ['/ws/chat', '/api/ws/chat'] as const;

const querySchema = z.object({
  session_id: z.string().optional().describe('Conversation to attach to; an unknown id is created for the caller'),
  token: z.string().optional().describe('Access token or API key (browsers cannot set headers on WebSockets)'),
  api_key: z.string().optional().describe('API key or access token'),
  last_event_id: z.string().optional().describe('Resume a reply after this frame id (<message id>:<seq>)'),
  model: z.string().optional().describe('Model for messages that name none: a model id or provider/model'),
});

const frameDescription =
  'WebSocket. Client frames: {"type":"chat.message","content"}, {"type":"chat.stop"}, {"type":"chat.resume","last_event_id"}, {"type":"ping"}. ' +
  'Server frames are {event,data,id}: session_start, message_start, content_block_start/delta/stop (text, thinking, tool_use), ' +
  'message_delta (finish_reason, usage), message_stop, error, pong. `id` is the cursor to resume after.';

/** StellarByte's WebSocket chat at `/ws/chat` and `/api/ws/chat`. */
export function registerWsChatRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const { chat, conversations } = dependencies.services;
  // Encapsulated, so the plugin's hooks and route wrapping stay on these two routes.
  void app.register(async (scope) => {
    await registerWebSocketPlugin(scope, paths, 1024 * 1024);
    const routes = scope.withTypeProvider<ZodTypeProvider>();
    const attached = new WeakMap<FastifyRequest, { conversationId: string; resume: ReturnType<typeof parseCursor> }>();

    for (const url of paths) {
      routes.route({
        method: 'GET',
        url,
        config: { queryCredentials: true },
        schema: {
          tags: ['stellarbyte'],
          summary: 'Chat over a WebSocket (StellarByte)',
          description: frameDescription,
          querystring: querySchema,
          response: { 101: z.string().describe(frameDescription) },
        },
        // Attach before upgrading, so another user's session fails the handshake with a 404.
        preHandler: async (request) => {
          if (!request.ws) return;
          const userId = principalOf(request).user.id;
          const resume = parseCursor(request.query.last_event_id);
          const conversation = request.query.session_id
            ? (await conversations.open(userId, request.query.session_id)).conversation
            : await conversations.create(userId, {});
          attached.set(request, { conversationId: conversation.id, resume });
        },
        handler: async () => {
          throw new AppError('VALIDATION_ERROR', 'this endpoint speaks WebSocket: connect with a WebSocket client (Upgrade: websocket)');
        },
        wsHandler: (socket, request) => {
          const principal = principalOf(request);
          const { conversationId, resume } = attached.get(request)!;
          serveChatSocket(
            socket,
            {
              chat, log: dependencies.log, userId: principal.user.id, apiKeyId: principal.apiKeyId ?? null, permissionLevel: principal.permissionLevel,
              conversationId, model: request.query.model, heartbeatMs: 30_000,
            },
            resume,
          );
        },
      });
    }
  });
}
