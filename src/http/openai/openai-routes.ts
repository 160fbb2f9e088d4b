import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDependencies } from '../../dependencies.ts';
import { AppError } from '../../errors/app-error.ts';
import { principalOf } from '../auth-hook.ts';
import { sendError, toAppError } from '../error-handler.ts';
import { parseEventCursor } from '../../streaming/sse-frame.ts';
import { OpenAiChunkEncoder } from '../../streaming/openai-encoder.ts';
import { streamSse } from '../sse-stream.ts';
import { handleChatCompletion } from './chat-completion-handler.ts';
import { listModelsFor } from './model-list.ts';
import {
  chatCompletionBodySchema,
  chatCompletionSchema,
  chunkStreamSchema,
  modelListSchema,
  sessionQuerySchema,
  type ChatCompletionBody,
} from './openai-schemas.ts';

type ChatCompletion = z.infer<typeof chatCompletionSchema>;

const tags = ['openai'];
const openAiErrors = { errorFormat: 'openai' as const };

const sessionIdOf = (request: FastifyRequest, body: ChatCompletionBody): string | undefined => {
  const query = (request.query as { session_id?: string } | undefined)?.session_id;
  return body.session_id ?? (query && query.length > 0 ? query : undefined);
};

/** A body that failed validation, reported in OpenAI's terms. */
function parseBody(body: unknown): ChatCompletionBody {
  const parsed = chatCompletionBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const summary = parsed.error.issues.map((issue) => `body.${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new AppError('VALIDATION_ERROR', `invalid request: ${summary}`);
}

/**
 * A hook for LLMChat's agent chat, which shares `POST /api/chat/completions` with OpenAI's
 * dialect: a body with `agentId` goes to it.
 */
export type AgentChatHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** OpenAI's API: `/v1/models` and `/v1/chat/completions`, also under `/api` (API.md). */
export function registerOpenAiRoutes(app: FastifyInstance, dependencies: AppDependencies, agentChat?: AgentChatHandler): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  for (const url of ['/v1/models', '/api/v1/models', '/api/models']) {
    routes.get(
      url,
      {
        config: openAiErrors,
        schema: { tags, summary: 'List the models the caller may use (OpenAI format)', response: { 200: modelListSchema } },
      },
      async (request) => ({ object: 'list' as const, data: await listModelsFor(dependencies.providers.directory, principalOf(request).user.id, dependencies.providers.aliases) }),
    );
  }

  const completionSchema = {
    tags,
    summary: 'Create a chat completion (OpenAI format)',
    description:
      '`model` is a model id, or `provider/model`. With `session_id` (body or query) the exchange is stored in that conversation ' +
      '(created on first use) as a durable turn; the `x-message-id` header names it for resuming. `stream: true` answers ' +
      '`chat.completion.chunk` frames then `[DONE]`.',
    querystring: sessionQuerySchema,
    body: chatCompletionBodySchema,
    response: { 200: z.union([chatCompletionSchema, chunkStreamSchema]) },
  };
  for (const url of ['/v1/chat/completions', '/api/v1/chat/completions']) {
    routes.post(url, { config: openAiErrors, schema: completionSchema }, async (request, reply) =>
      (await handleChatCompletion(dependencies, request, reply, request.body, sessionIdOf(request, request.body))) as ChatCompletion,
    );
  }

  for (const url of ['/v1/chat/completions/:id/stream', '/api/v1/chat/completions/:id/stream']) {
    routes.get(
      url,
      {
        config: openAiErrors,
        schema: {
          tags,
          summary: "Resume a session completion's stream after the last chunk seen",
          description:
            'For completions made with `session_id`, whose chunks carry `id:` lines. `:id` is the `x-message-id` header (or the ' +
            'completion id without `chatcmpl-`); send `Last-Event-ID` (or `?last_event_id=`) to get every later chunk once.',
          params: z.object({ id: z.string().min(1) }),
          querystring: z.object({ last_event_id: z.string().optional(), include_usage: z.enum(['true', 'false']).optional() }),
          response: { 200: chunkStreamSchema },
        },
      },
      async (request, reply) => {
        const userId = principalOf(request).user.id;
        const turnId = request.params.id.replace(/^chatcmpl-/, '');
        const afterSeq = parseEventCursor(request.headers['last-event-id'], request.query.last_event_id);
        const created = Math.floor(dependencies.clock().getTime() / 1000);
        // The model name comes from the turn's own first event; chunks the client saw are skipped.
        const encoder = new OpenAiChunkEncoder({
          id: `chatcmpl-${turnId}`, model: '', created, includeUsage: request.query.include_usage === 'true', numbered: true, afterSeq,
        });
        await streamSse(
          request,
          reply,
          (signal) => dependencies.services.chat.events(userId, turnId, afterSeq, signal, { includeEarlier: true }),
          encoder,
          { coalesceMs: 0, headers: { 'x-message-id': turnId } },
        );
      },
    );
  }

  routes.post(
    '/api/chat/completions',
    {
      config: openAiErrors,
      schema: {
        ...completionSchema,
        summary: 'Create a chat completion: OpenAI format, or LLMChat agent chat when the body has `agentId`',
        body: z.record(z.string(), z.unknown()),
        response: { 200: z.unknown() },
      },
    },
    async (request, reply) => {
      if (agentChat && typeof request.body.agentId === 'string') {
        try {
          return await agentChat(request, reply);
        } catch (error) {
          // LLMChat's dialect answers errors in the envelope, not OpenAI's shape.
          const appError = toAppError(error);
          if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
          return sendError(request, reply, appError, 'envelope');
        }
      }
      const body = parseBody(request.body);
      return handleChatCompletion(dependencies, request, reply, body, sessionIdOf(request, body));
    },
  );
}
