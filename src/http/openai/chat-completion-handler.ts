import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DirectCall } from '../../chat/direct-call.ts';
import type { RunEvent } from '../../chat/run-log.ts';
import type { AppDependencies } from '../../dependencies.ts';
import { AppError } from '../../errors/app-error.ts';
import { errorCodes, type ErrorCode } from '../../errors/error-codes.ts';
import { OpenAiChunkEncoder, openAiFinishReason, openAiUsage } from '../../streaming/openai-encoder.ts';
import { summariseTurn, type TurnSummary } from '../../streaming/turn-summary.ts';
import { principalOf } from '../auth-hook.ts';
import { clientGone } from '../client-gone.ts';
import { streamSse } from '../sse-stream.ts';
import { translateChatRequest } from './openai-request.ts';
import { canRelay, relayChatCompletion } from './passthrough-completion.ts';
import type { ChatCompletionBody } from './openai-schemas.ts';

/** A failed turn as an HTTP error: the engine's code when it is ours, else a provider error. */
export function turnFailure(summary: TurnSummary): AppError | undefined {
  if (!summary.error) return undefined;
  const code = (summary.error.code in errorCodes ? summary.error.code : 'PROVIDER_ERROR') as ErrorCode;
  return new AppError(code, summary.error.message);
}

function completionBody(id: string, model: string, created: number, summary: TurnSummary, sessionId?: string) {
  return {
    id,
    object: 'chat.completion' as const,
    created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: summary.text === '' && summary.toolCalls.length > 0 ? null : summary.text,
          ...(summary.reasoning ? { reasoning_content: summary.reasoning } : {}),
          ...(summary.toolCalls.length > 0
            ? { tool_calls: summary.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) }
            : {}),
          refusal: null,
        },
        logprobs: null,
        finish_reason: openAiFinishReason(summary.finishReason),
      },
    ],
    usage: openAiUsage(summary.usage),
    ...(sessionId ? { session_id: sessionId } : {}),
    system_fingerprint: null,
  };
}

/**
 * One OpenAI chat completion, streamed or not. With a session id the exchange is a durable turn
 * stored in that conversation (created on first use); without one nothing is stored but usage,
 * and the client leaving aborts the upstream call.
 */
export async function handleChatCompletion(
  dependencies: AppDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  body: ChatCompletionBody,
  sessionId: string | undefined,
): Promise<unknown> {
  const principal = principalOf(request);
  const userId = principal.user.id;
  const { chat, conversations } = dependencies.services;
  const created = Math.floor(dependencies.clock().getTime() / 1000);
  const includeUsage = body.stream_options?.include_usage === true;

  if (sessionId) {
    const translated = translateChatRequest(body);
    // The model first: a request that cannot run must not leave an empty conversation behind.
    const resolved = await dependencies.providers.resolver.resolve(userId, { model: body.model });
    const { conversation } = await conversations.open(userId, sessionId);
    const turn = await chat.start({
      userId, apiKeyId: principal.apiKeyId ?? null, permissionLevel: principal.permissionLevel, conversationId: conversation.id,
      content: translated.lastUserText, resolved, thinkingEnabled: translated.thinking,
      surface: 'openai', systemPrompt: translated.systemPrompt ?? undefined, callSettings: translated.callSettings,
      clientTools: translated.clientTools, toolChoice: translated.toolChoice,
      newMessages: translated.messages, historyFromClient: translated.carriesHistory,
      idempotencyKey: typeof request.headers['idempotency-key'] === 'string' ? request.headers['idempotency-key'] : undefined,
    });
    const id = `chatcmpl-${turn.turnId}`;
    const headers = { 'x-message-id': turn.turnId, 'x-conversation-id': conversation.id, 'x-session-id': conversation.id };
    if (body.stream) {
      const encoder = new OpenAiChunkEncoder({ id, model: body.model, created, includeUsage, numbered: true });
      await streamSse(request, reply, (signal) => chat.events(userId, turn.turnId, 0, signal), encoder, { headers, coalesceMs: 0 });
      return reply;
    }
    const gone = clientGone(reply);
    const summary = await summariseTurn(await chat.events(userId, turn.turnId, 0, gone.signal));
    const failure = turnFailure(summary);
    if (failure) throw failure;
    void reply.headers(headers);
    return completionBody(id, body.model, created, summary, conversation.id);
  }

  const resolved = await dependencies.providers.resolver.resolve(userId, { model: body.model });
  if (canRelay(resolved)) return relayChatCompletion(dependencies, request, reply, body, resolved);
  const translated = translateChatRequest(body);
  const gone = clientGone(reply);
  const call: DirectCall = await chat.direct({
    userId, apiKeyId: principal.apiKeyId ?? null, permissionLevel: principal.permissionLevel, surface: 'openai', resolved,
    messages: translated.systemPrompt ? [{ role: 'system', content: translated.systemPrompt }, ...translated.messages] : translated.messages,
    callSettings: translated.callSettings, clientTools: translated.clientTools, toolChoice: translated.toolChoice,
    thinking: translated.thinking, signal: gone.signal,
  });
  const id = `chatcmpl-${call.id}`;
  if (body.stream) {
    const encoder = new OpenAiChunkEncoder({ id, model: body.model, created, includeUsage, numbered: false });
    await streamSse(request, reply, (signal) => abortWith(signal, gone, call.events), encoder, { coalesceMs: 0 });
    return reply;
  }
  const summary = await summariseTurn(call.events);
  const failure = turnFailure(summary);
  if (failure) throw failure;
  return completionBody(id, body.model, created, summary);
}

/** Ties a direct call's abort to the stream's own disconnect signal, then hands its events on. */
export async function abortWith(signal: AbortSignal, controller: AbortController, events: AsyncIterable<RunEvent>) {
  signal.addEventListener('abort', () => controller.abort(), { once: true });
  return events;
}
