import { APICallError } from '@ai-sdk/provider';
import type { GuardedResponse } from '../net/guarded-request.ts';
import type { ResolvedModel } from '../providers/resolved-model.ts';
import { SseEventSplitter, sseEventReader } from '../streaming/sse-event-splitter.ts';
import type { TokenUsage } from './chat-event.ts';
import type { DirectCallContext } from './direct-call.ts';
import { retryDelay, type AttemptRecord } from './model-call.ts';
import { classifyUpstreamError, errorText, type UpstreamFailure } from './upstream-errors.ts';
import { recordAttemptUsage } from './usage-ledger.ts';

export interface PassthroughRequest {
  userId: string;
  apiKeyId: string | null;
  surface: string;
  /** A model whose upstream speaks the client's wire format (`openAiPassthrough` is set). */
  resolved: ResolvedModel;
  /** The upstream request body, model id already the upstream's. */
  body: string;
  stream: boolean;
  /** Whether the client asked for the usage chunk; when not, the one we asked for is dropped. */
  clientWantsUsage: boolean;
  /** Each message of the prompt as text: checked against the size cap, counted only when the upstream reports no usage. */
  messageTexts: () => string[];
  signal: AbortSignal;
}

/** Where the relayed answer goes: `open` once the upstream said 2xx, then whole events or the body. */
export interface PassthroughSink {
  open(): void;
  /** A promise means the client is slow: nothing more is read until it settles. */
  write(text: string): void | Promise<void>;
}

export type PassthroughOutcome =
  | { ok: true }
  | { ok: false; failure: UpstreamFailure; /** Whether bytes had reached the client. */ started: boolean; cancelled: boolean };

interface AttemptState {
  usage?: TokenUsage;
  produced: string[];
  firstEventAt?: number;
}

const integer = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** OpenAI's usage object in ours. */
export function usageFromOpenAi(usage: Record<string, unknown>): TokenUsage {
  const details = (usage.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const completionDetails = (usage.completion_tokens_details ?? {}) as Record<string, unknown>;
  const promptTokens = integer(usage.prompt_tokens);
  const completionTokens = integer(usage.completion_tokens);
  return {
    promptTokens,
    completionTokens,
    reasoningTokens: integer(completionDetails.reasoning_tokens),
    cachedTokens: integer(details.cached_tokens),
    totalTokens: integer(usage.total_tokens) || promptTokens + completionTokens,
    estimated: false,
  };
}

/** An upstream answer that began well and then broke: an error frame, or a frame that is not JSON. */
class RelayedStreamFault extends Error {
  override name = 'RelayedStreamFault';
}

interface OpenAiChunk {
  choices?: Array<{ delta?: Record<string, unknown>; message?: Record<string, unknown> }>;
  usage?: Record<string, unknown> | null;
  error?: unknown;
}

/**
 * Reads what the ledger needs from one chunk or body; false when the chunk is ours to drop.
 * Throws RelayedStreamFault for data that is neither JSON nor `[DONE]`, and for the upstream's
 * own `{"error": …}` frame: neither may reach the client as it came (the second can carry the
 * key), so the relay ends the stream with its own masked error chunk instead.
 */
function inspect(data: string, state: AttemptState, dropUsageOnly: boolean): boolean {
  if (data === '[DONE]') return true;
  let parsed: OpenAiChunk;
  try {
    parsed = JSON.parse(data);
  } catch {
    const shown = data.length > 120 ? `${data.slice(0, 120)}…` : data;
    throw new RelayedStreamFault(`an event whose data is neither JSON nor [DONE]: ${shown.replace(/\s+/g, ' ')}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RelayedStreamFault(`an event whose data is not a JSON object: ${data.slice(0, 120)}`);
  }
  if (parsed.error !== undefined && parsed.error !== null && !(parsed.choices?.length)) {
    throw new RelayedStreamFault(`an error: ${errorText(parsed.error)}`);
  }
  for (const choice of parsed.choices ?? []) {
    const part = choice.delta ?? choice.message;
    if (typeof part?.content === 'string') state.produced.push(part.content);
    if (typeof part?.reasoning_content === 'string') state.produced.push(part.reasoning_content);
  }
  if (parsed.usage && typeof parsed.usage === 'object') {
    state.usage = usageFromOpenAi(parsed.usage);
    if (dropUsageOnly && (parsed.choices?.length ?? 0) === 0) return false;
  }
  return true;
}

/** The failure a relay fault stands for; "malformed" is not worth a retry, an error frame is the upstream's word. */
function faultFailure(fault: RelayedStreamFault, providerName: string, redact: (text: string) => string): UpstreamFailure {
  const malformed = !fault.message.startsWith('an error: ');
  const message = malformed ? `${providerName} sent a malformed response: ${fault.message}` : `${providerName} sent ${fault.message}`;
  return { code: 'PROVIDER_ERROR', message: redact(message), retryable: false };
}

async function upstreamFailure(response: GuardedResponse, url: string, resolved: ResolvedModel): Promise<UpstreamFailure> {
  const responseBody = await response.text().catch(() => '');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers[name] = value;
  const status = response.statusCode;
  const error = new APICallError({
    message: `HTTP ${status}`, url, requestBodyValues: {}, statusCode: status, responseHeaders: headers, responseBody,
    isRetryable: status === 408 || status === 409 || status === 429 || status >= 500,
  });
  return classifyUpstreamError(error, resolved.provider.name, resolved.redactSecrets);
}

/**
 * Relays one OpenAI chat completion to an upstream that speaks OpenAI's format, bytes as they
 * come: no AI SDK, no re-encoding. It keeps what the engine's direct call promises: retries
 * before the first byte (429, 5xx, network), an idle timeout, the client's leaving aborts the
 * upstream, and one ledger row per attempt.
 */
export async function relayPassthrough(context: DirectCallContext, request: PassthroughRequest, sink: PassthroughSink): Promise<PassthroughOutcome> {
  const target = request.resolved.openAiPassthrough!;
  const settings = context.settings;
  const identity = { userId: request.userId, apiKeyId: request.apiKeyId, surface: request.surface, conversationId: null, messageId: context.newId() };
  const record = async (attempt: AttemptRecord) => {
    const promptTokens = attempt.usage ? 0 : await context.counter.count(request.messageTexts().join('\n'));
    await recordAttemptUsage(context, identity, promptTokens, attempt).catch((error) =>
      context.log.error({ err: error, callId: identity.messageId }, 'could not record usage'),
    );
  };
  let lastFailure: UpstreamFailure | undefined;
  for (let attempt = 1; attempt <= settings.maxRetries + 1; attempt += 1) {
    const started = Date.now();
    const state: AttemptState = { produced: [] };
    let opened = false;
    const base = { resolved: request.resolved, attempt };
    try {
      const response = await target.request(target.url, {
        method: 'POST', headers: target.headers, body: request.body, signal: request.signal, idleTimeoutMs: settings.idleTimeoutMs,
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        lastFailure = await upstreamFailure(response, target.url, request.resolved);
      } else {
        if (request.stream) {
          opened = true;
          sink.open();
          await relayEvents(response, request, state, sink);
        } else {
          const text = await response.text();
          state.firstEventAt = Date.now();
          // Checked before anything is sent: a 200 that is an error or not JSON answers as a failure.
          inspect(text, state, false);
          opened = true;
          sink.open();
          await sink.write(text);
        }
        await record({
          ...base, status: 'success', latencyMs: Date.now() - started, usage: state.usage, producedText: state.produced,
          ...(state.firstEventAt !== undefined ? { timeToFirstTokenMs: state.firstEventAt - started } : {}),
        });
        return { ok: true };
      }
    } catch (error) {
      const latencyMs = Date.now() - started;
      if (request.signal.aborted) {
        await record({ ...base, status: 'cancelled', latencyMs, usage: state.usage, producedText: state.produced });
        return { ok: false, failure: { code: 'PROVIDER_ERROR', message: 'the client went away', retryable: false }, started: opened, cancelled: true };
      }
      const { provider, redactSecrets } = request.resolved;
      lastFailure = error instanceof RelayedStreamFault ? faultFailure(error, provider.name, redactSecrets) : classifyUpstreamError(error, provider.name, redactSecrets);
      if (opened) {
        await record({ ...base, status: 'error', errorCode: lastFailure.code, latencyMs, producedText: state.produced });
        return { ok: false, failure: lastFailure, started: true, cancelled: false };
      }
    }
    await record({ ...base, status: 'error', errorCode: lastFailure.code, latencyMs: Date.now() - started, producedText: [] });
    if (!lastFailure.retryable || attempt > settings.maxRetries) break;
    const delay = retryDelay(lastFailure, attempt - 1, settings, context.random);
    if (delay === undefined) break;
    await context.sleep(delay, request.signal);
    if (request.signal.aborted) break;
  }
  return { ok: false, failure: lastFailure!, started: false, cancelled: request.signal.aborted };
}

async function relayEvents(response: GuardedResponse, request: PassthroughRequest, state: AttemptState, sink: PassthroughSink): Promise<void> {
  const splitter = new SseEventSplitter();
  const dataOf = sseEventReader();
  const dropUsageOnly = !request.clientWantsUsage;
  const forward = (events: string[]): void | Promise<void> => {
    let waiting: Promise<void> | undefined;
    for (const event of events) {
      const data = dataOf(event);
      if (data === undefined) continue;
      state.firstEventAt ??= Date.now();
      if (!inspect(data, state, dropUsageOnly)) continue;
      const pending = sink.write(event);
      if (pending) waiting = waiting ? waiting.then(() => pending) : pending;
    }
    return waiting;
  };
  await response.consume((chunk) => forward(splitter.push(chunk)));
  await forward(splitter.end());
}
