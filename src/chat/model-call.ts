import type { LanguageModelV3CallOptions } from '@ai-sdk/provider';
import type { ResolvedModel } from '../providers/resolved-model.ts';
import type { ChatEvent, TokenUsage } from './chat-event.ts';
import { streamModel, StreamInterruptedError, type ModelStreamOutput } from './model-stream.ts';
import { classifyUpstreamError, type UpstreamFailure } from './upstream-errors.ts';

export interface RetrySettings {
  idleTimeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

/** One upstream attempt, as the usage ledger records it. */
export interface AttemptRecord {
  resolved: ResolvedModel;
  attempt: number;
  status: 'success' | 'error' | 'cancelled';
  errorCode?: string;
  latencyMs: number;
  timeToFirstTokenMs?: number;
  usage?: TokenUsage;
  /** Text the attempt produced, for counting tokens locally when the provider reports none. */
  producedText: readonly string[];
}

export interface ModelCallHooks {
  emit(event: ChatEvent): void;
  onAttempt(record: AttemptRecord): void;
  /** Waits between retries; tests and the abort signal shorten it. */
  sleep(milliseconds: number, signal: AbortSignal): Promise<void>;
  random(): number;
}

/** A model call that failed for good; `failure` says why, `interrupted` whether tokens had streamed. */
export class ModelCallError extends Error {
  override name = 'ModelCallError';
  constructor(
    readonly failure: UpstreamFailure,
    readonly interrupted: boolean,
  ) {
    super(failure.message);
  }
}

/** Capped, jittered exponential backoff; a Retry-After beyond the cap means "do not retry". */
export function retryDelay(failure: UpstreamFailure, retryIndex: number, settings: RetrySettings, random: () => number): number | undefined {
  const exponential = Math.min(settings.retryMaxDelayMs, settings.retryBaseDelayMs * 2 ** retryIndex);
  const jittered = exponential * (0.5 + random() / 2);
  if (failure.retryAfterMs === undefined) return jittered;
  if (failure.retryAfterMs > settings.retryMaxDelayMs) return undefined;
  return Math.max(failure.retryAfterMs, jittered);
}

/** Call options depend on the model (reasoning switches differ by provider), so fallbacks rebuild them. */
/** The model's output, with the text and reasoning it streamed as the pieces they came in (see TokenCounter.count). */
export type CalledOutput = ModelStreamOutput & { producedPieces: readonly string[] };

export type CallOptionsFor = (resolved: ResolvedModel) => LanguageModelV3CallOptions;

async function attemptWithRetries(
  resolved: ResolvedModel,
  optionsFor: CallOptionsFor,
  settings: RetrySettings,
  hooks: ModelCallHooks,
  signal: AbortSignal,
): Promise<CalledOutput> {
  let lastFailure: UpstreamFailure | undefined;
  for (let attempt = 1; attempt <= settings.maxRetries + 1; attempt += 1) {
    // A stop that came while tools ran (or between calls) must not let another call start.
    signal.throwIfAborted();
    const started = Date.now();
    // Kept as pieces: see TokenCounter.count.
    const produced: string[] = [];
    const emit = (event: ChatEvent) => {
      if (event.type === 'text-delta' || event.type === 'reasoning-delta') produced.push(event.text);
      hooks.emit(event);
    };
    try {
      const output = await streamModel(resolved, { ...optionsFor(resolved), abortSignal: signal }, emit, settings.idleTimeoutMs);
      hooks.onAttempt({
        resolved, attempt, status: 'success', latencyMs: Date.now() - started,
        timeToFirstTokenMs: output.timeToFirstTokenMs, usage: output.usage, producedText: produced,
      });
      return { ...output, producedPieces: produced };
    } catch (error) {
      const record = { resolved, attempt, latencyMs: Date.now() - started, producedText: produced };
      if (signal.aborted) {
        hooks.onAttempt({ ...record, status: 'cancelled' });
        throw error;
      }
      const interrupted = error instanceof StreamInterruptedError;
      const failure = classifyUpstreamError(interrupted ? error.original : error, resolved.provider.name, resolved.redactSecrets);
      hooks.onAttempt({ ...record, status: 'error', errorCode: failure.code });
      // Once tokens have streamed, another attempt would splice two answers into one message.
      if (interrupted) throw new ModelCallError(failure, true);
      lastFailure = failure;
      if (!failure.retryable || attempt > settings.maxRetries) break;
      const delay = retryDelay(failure, attempt - 1, settings, hooks.random);
      if (delay === undefined) break;
      await hooks.sleep(delay, signal);
      if (signal.aborted) throw signal.reason;
    }
  }
  throw new ModelCallError(lastFailure!, false);
}

/**
 * Calls the model, retrying failures that happen before the first token (429, 5xx, network,
 * stalls) and then trying the configured fallback model, if any. Never retries after a token.
 */
export async function callModel(
  resolved: ResolvedModel,
  optionsFor: CallOptionsFor,
  settings: RetrySettings,
  hooks: ModelCallHooks,
  signal: AbortSignal,
): Promise<{ output: CalledOutput; resolved: ResolvedModel }> {
  try {
    return { output: await attemptWithRetries(resolved, optionsFor, settings, hooks, signal), resolved };
  } catch (error) {
    if (!(error instanceof ModelCallError) || error.interrupted || !resolved.fallback) throw error;
    const fallback = await resolved.fallback();
    signal.throwIfAborted();
    if (!fallback) throw error;
    return { output: await attemptWithRetries(fallback, optionsFor, settings, hooks, signal), resolved: fallback };
  }
}
