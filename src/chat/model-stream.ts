import type {
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import type { ResolvedModel } from '../providers/resolved-model.ts';
import type { ChatEvent, FinishReason, TokenUsage } from './chat-event.ts';
import { errorText, UpstreamIdleError } from './upstream-errors.ts';

export interface ReasoningPart {
  text: string;
  providerMetadata?: SharedV3ProviderMetadata;
}

export interface ToolCallRequest {
  toolCallId: string;
  toolName: string;
  input: string;
}

/** What one model call produced, for the tool loop's next prompt. */
export interface ModelStreamOutput {
  text: string;
  reasoning: ReasoningPart[];
  toolCalls: ToolCallRequest[];
  finishReason: FinishReason;
  /** Undefined when the provider reported no usage. */
  usage?: TokenUsage;
  /** Milliseconds from the request to the first streamed token, if any came. */
  timeToFirstTokenMs?: number;
}

/** A failure that happened after tokens were emitted; it must never be retried into the same message. */
export class StreamInterruptedError extends Error {
  override name = 'StreamInterruptedError';
  constructor(readonly original: unknown) {
    super(errorText(original), { cause: original });
  }
}

export function toTokenUsage(usage: LanguageModelV3Usage): TokenUsage | undefined {
  const prompt = usage.inputTokens.total;
  const completion = usage.outputTokens.total;
  if (prompt === undefined && completion === undefined) return undefined;
  return {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    reasoningTokens: usage.outputTokens.reasoning ?? 0,
    cachedTokens: usage.inputTokens.cacheRead ?? 0,
    totalTokens: (prompt ?? 0) + (completion ?? 0),
    estimated: false,
  };
}

/**
 * One idle timer per call rather than one per chunk: it remembers when data last arrived and,
 * when it fires early, re-arms for the remainder.
 */
function createIdleWatch(idleTimeoutMs: number, onIdle: () => void) {
  let lastActivity = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const arm = (delay: number) => {
    timer = setTimeout(() => {
      const quiet = Date.now() - lastActivity;
      if (quiet >= idleTimeoutMs) onIdle();
      else arm(idleTimeoutMs - quiet);
    }, delay);
    timer.unref?.();
  };
  arm(idleTimeoutMs);
  return {
    touch: () => {
      lastActivity = Date.now();
    },
    stop: () => clearTimeout(timer),
  };
}

/**
 * Streams one model call, turning the adapter's parts into chat events as they arrive. Errors
 * before any token propagate as they are (the caller may retry); errors after a token come
 * wrapped in StreamInterruptedError.
 */
export async function streamModel(
  resolved: ResolvedModel,
  options: LanguageModelV3CallOptions,
  emit: (event: ChatEvent) => void,
  idleTimeoutMs: number,
): Promise<ModelStreamOutput> {
  const started = Date.now();
  const attempt = new AbortController();
  const outer = options.abortSignal;
  const onOuterAbort = () => attempt.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let idleError: UpstreamIdleError | undefined;
  const idle = createIdleWatch(idleTimeoutMs, () => {
    idleError = new UpstreamIdleError(`no data for ${idleTimeoutMs} ms`);
    attempt.abort(idleError);
  });

  const output: ModelStreamOutput = { text: '', reasoning: [], toolCalls: [], finishReason: 'other' };
  const reasoningById = new Map<string, ReasoningPart>();
  let emittedAny = false;
  const firstToken = () => {
    if (!emittedAny) {
      emittedAny = true;
      output.timeToFirstTokenMs = Date.now() - started;
    }
  };

  const handle = (part: LanguageModelV3StreamPart) => {
    switch (part.type) {
      case 'text-delta':
        if (part.delta === '') return;
        firstToken();
        output.text += part.delta;
        emit({ type: 'text-delta', text: part.delta });
        return;
      case 'reasoning-start':
      case 'reasoning-delta':
      case 'reasoning-end': {
        let reasoning = reasoningById.get(part.id);
        if (!reasoning) {
          reasoning = { text: '' };
          reasoningById.set(part.id, reasoning);
          output.reasoning.push(reasoning);
        }
        // Anthropic signs its thinking; the signature must go back with it in the next call.
        if (part.providerMetadata) reasoning.providerMetadata = { ...reasoning.providerMetadata, ...part.providerMetadata };
        if (part.type === 'reasoning-delta' && part.delta !== '') {
          firstToken();
          reasoning.text += part.delta;
          emit({ type: 'reasoning-delta', text: part.delta });
        }
        return;
      }
      case 'tool-call':
        if (part.providerExecuted) return;
        firstToken();
        output.toolCalls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
        return;
      case 'finish':
        output.usage = toTokenUsage(part.usage);
        output.finishReason = part.finishReason.unified;
        return;
      case 'error':
        throw part.error;
      default:
        return;
    }
  };

  try {
    const { stream } = await resolved.model.doStream({ ...options, abortSignal: attempt.signal });
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        idle.touch();
        handle(value);
      }
    } finally {
      reader.releaseLock();
    }
    if (attempt.signal.aborted) throw idleError ?? attempt.signal.reason;
    return output;
  } catch (error) {
    // Closes the upstream connection whatever went wrong, so a broken stream is not left open.
    if (!attempt.signal.aborted) attempt.abort(error);
    const failure = idleError ?? error;
    if (outer?.aborted) throw outer.reason ?? failure;
    if (emittedAny) throw new StreamInterruptedError(failure);
    throw failure;
  } finally {
    idle.stop();
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
