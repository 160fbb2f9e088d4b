import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PassthroughSink } from '../../chat/passthrough-call.ts';
import type { UpstreamFailure } from '../../chat/upstream-errors.ts';
import type { AppDependencies } from '../../dependencies.ts';
import { AppError } from '../../errors/app-error.ts';
import { errorCodes, type ErrorCode } from '../../errors/error-codes.ts';
import type { ResolvedModel } from '../../providers/resolved-model.ts';
import { principalOf } from '../auth-hook.ts';
import { clientGone } from '../client-gone.ts';
import { drained } from '../sse-stream.ts';
import { assertOneChoice } from './openai-request.ts';
import type { ChatCompletionBody } from './openai-schemas.ts';

/** The fields of OpenAI's request that reach the upstream; ours (`session_id`) and unknown ones do not. */
const forwardedFields = [
  'messages', 'temperature', 'top_p', 'n', 'stop', 'max_tokens', 'max_completion_tokens', 'presence_penalty', 'frequency_penalty',
  'logit_bias', 'logprobs', 'top_logprobs', 'seed', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format',
  'reasoning_effort', 'user', 'modalities', 'prediction', 'service_tier', 'metadata', 'store', 'verbosity', 'web_search_options',
] as const;

/** Whether a request can be relayed as it is: an OpenAI-format upstream and no fallback to switch to. */
export function canRelay(resolved: ResolvedModel): boolean {
  return resolved.openAiPassthrough !== undefined && resolved.fallback === undefined;
}

/** The upstream body: the client's own fields, the upstream's model id, usage asked for, the provider's cap. */
export function relayBody(body: ChatCompletionBody, resolved: ResolvedModel): string {
  const source = body as Record<string, unknown>;
  const out: Record<string, unknown> = { model: resolved.modelId };
  for (const field of forwardedFields) if (source[field] !== undefined && source[field] !== null) out[field] = source[field];
  if (body.stream) {
    out.stream = true;
    out.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  }
  const cap = resolved.maxOutputTokens;
  if (cap !== undefined) {
    const field = body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    out[field] = Math.min((source[field] as number | undefined) ?? cap, cap);
  }
  return JSON.stringify(out);
}

/** A message's words, for counting the prompt when the upstream reports no usage. */
function openAiMessageText(message: ChatCompletionBody['messages'][number]): string {
  const content = message.content;
  const text = typeof content === 'string' ? content : (content ?? []).map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
  const calls = message.role === 'assistant' && message.tool_calls ? message.tool_calls.map((call) => call.function.arguments).join('') : '';
  return text + calls;
}

/**
 * An upstream failure as our error. A 400 or 422 from the upstream is about the request the
 * client wrote, which we relayed unchanged, so it is the client's to fix.
 */
function failureError(failure: UpstreamFailure): AppError {
  if (failure.statusCode === 400 || failure.statusCode === 422) return new AppError('VALIDATION_ERROR', failure.message);
  return new AppError((failure.code in errorCodes ? failure.code : 'PROVIDER_ERROR') as ErrorCode, failure.message);
}

/**
 * An OpenAI chat completion relayed to an OpenAI-format upstream without a session: the
 * upstream's bytes reach the client as they come, one whole SSE event per write, and only the
 * usage is stored. Errors before the first byte answer in OpenAI's error shape like any other.
 */
export async function relayChatCompletion(
  dependencies: AppDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  body: ChatCompletionBody,
  resolved: ResolvedModel,
): Promise<unknown> {
  assertOneChoice(body);
  const principal = principalOf(request);
  const gone = clientGone(reply);
  const raw = reply.raw;
  let answer = '';
  const sink: PassthroughSink = body.stream
    ? {
        open() {
          reply.hijack();
          raw.writeHead(200, {
            ...(reply.getHeaders() as Record<string, string>),
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache, no-transform',
            'x-accel-buffering': 'no',
          });
        },
        write(text) {
          if (raw.destroyed || raw.writableEnded) return;
          if (!raw.write(text)) return drained(raw);
        },
      }
    : { open() {}, write: (text) => void (answer = text) };

  const outcome = await dependencies.services.chat.relay(
    {
      userId: principal.user.id, apiKeyId: principal.apiKeyId ?? null, surface: 'openai', resolved, body: relayBody(body, resolved),
      stream: body.stream === true, clientWantsUsage: body.stream_options?.include_usage === true,
      messageTexts: () => body.messages.map(openAiMessageText),
      signal: gone.signal,
    },
    sink,
  );
  if (!outcome.ok && !outcome.started) throw failureError(outcome.failure);
  if (!body.stream) return reply.type('application/json; charset=utf-8').send(answer);
  if (!outcome.ok && !outcome.cancelled && !raw.destroyed) {
    const { code, message } = outcome.failure;
    raw.write(`data: ${JSON.stringify({ error: { message, type: 'server_error', code: code.toLowerCase(), param: null } })}\n\n`);
    raw.write('data: [DONE]\n\n');
  }
  if (!raw.writableEnded) raw.end();
  return reply;
}
