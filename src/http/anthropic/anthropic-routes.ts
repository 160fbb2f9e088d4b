import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDependencies } from '../../dependencies.ts';
import { AnthropicEncoder, anthropicStopReason, anthropicUsage } from '../../streaming/anthropic-encoder.ts';
import { summariseTurn, type TurnSummary } from '../../streaming/turn-summary.ts';
import { principalOf } from '../auth-hook.ts';
import { clientGone } from '../client-gone.ts';
import { abortWith, turnFailure } from '../openai/chat-completion-handler.ts';
import { streamSse } from '../sse-stream.ts';
import { translateMessagesRequest } from './anthropic-request.ts';
import { anthropicResponseSchema, anthropicStreamSchema, messagesBodySchema } from './anthropic-schemas.ts';

function parsedInput(text: string): unknown {
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return {};
  }
}

function messageBody(id: string, model: string, summary: TurnSummary): z.infer<typeof anthropicResponseSchema> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...(summary.reasoning ? [{ type: 'thinking' as const, thinking: summary.reasoning, signature: '' }] : []),
      ...(summary.text ? [{ type: 'text' as const, text: summary.text }] : []),
      ...summary.toolCalls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: parsedInput(call.arguments) })),
    ],
    stop_reason: anthropicStopReason(summary.finishReason),
    stop_sequence: null,
    usage: anthropicUsage(summary.usage),
  };
}

/** Anthropic's Messages API over any configured model: `POST /v1/messages` (also under `/api`). */
export function registerAnthropicRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  for (const url of ['/v1/messages', '/api/v1/messages']) {
    routes.post(
      url,
      {
        config: { errorFormat: 'anthropic' },
        schema: {
          tags: ['anthropic'],
          summary: 'Create a message (Anthropic format) with any configured model',
          description:
            'Authenticate with `x-api-key` or `Authorization: Bearer`. `model` is a model id, or `provider/model`. Nothing is stored but usage; ' +
            'a client that disconnects aborts the upstream call.',
          body: messagesBodySchema,
          response: { 200: z.union([anthropicResponseSchema, anthropicStreamSchema]) },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const body = request.body;
        const translated = translateMessagesRequest(body);
        const gone = clientGone(reply);
        const call = await dependencies.services.chat.direct({
          userId: principal.user.id, apiKeyId: principal.apiKeyId ?? null, permissionLevel: principal.permissionLevel,
          surface: 'anthropic', model: body.model, messages: translated.messages, callSettings: translated.callSettings,
          clientTools: translated.clientTools, toolChoice: translated.toolChoice, thinking: translated.thinking, signal: gone.signal,
        });
        const id = `msg_${call.id.replaceAll('-', '')}`;
        if (body.stream) {
          await streamSse(
            request,
            reply,
            (signal) => abortWith(signal, gone, call.events),
            new AnthropicEncoder({ id, model: body.model }),
            { coalesceMs: 0 },
          );
          return reply as never;
        }
        const summary = await summariseTurn(call.events);
        const failure = turnFailure(summary);
        if (failure) throw failure;
        return messageBody(id, body.model, summary);
      },
    );
  }
}
