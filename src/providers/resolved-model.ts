import type { LanguageModelV3, SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { GuardedRequest } from '../net/guarded-request.ts';
import type { SecretRedactor } from './secret-redaction.ts';

/** A provider as the chat engine sees it: never its key. */
export interface ProviderSummary {
  id: string;
  name: string;
  type: string;
  isSystem: boolean;
}

/**
 * Everything the chat engine needs to call one model: the AI SDK model object (wired to the
 * guarded HTTP client and the provider's own key), its limits, and how to ask it to reason.
 */
export interface ResolvedModel {
  provider: ProviderSummary;
  modelId: string;
  model: LanguageModelV3;
  /** Tokens the model accepts in all (prompt plus completion). */
  contextWindow: number;
  /** Cap on completion tokens, when the provider or conversation sets one. */
  maxOutputTokens?: number;
  /** Provider options that turn visible reasoning on, or undefined when the model cannot. */
  thinkingOptions(enabled: boolean): SharedV3ProviderOptions | undefined;
  /**
   * Set when the upstream speaks OpenAI's chat completions itself: where to send a client's
   * OpenAI request unchanged (bar the model id), with the provider's own credentials.
   */
  openAiPassthrough?: OpenAiPassthroughTarget;
  /**
   * Masks this provider's key (whole, partial, after `Bearer`) and anything shaped like a
   * credential: every upstream text bound for an event, a stored message, an answer or a log
   * passes through it.
   */
  redactSecrets: SecretRedactor;
  /** The next model to try when this one fails before its first token, if one is configured. */
  fallback?: () => Promise<ResolvedModel | undefined>;
}

export interface ModelRequest {
  /** A provider id the caller may use; absent means the caller's default. */
  providerId?: string | null;
  /** A model id; absent means the provider's default model. */
  model?: string | null;
  /**
   * Set by the agent chat only, after it found the agent visible to the caller: that agent's own
   * provider may be used. Never taken from a request body.
   */
  agentId?: string;
}

/** What the chat engine asks of the providers module. */
export interface ModelResolver {
  /** Throws NOT_FOUND for a provider the user may not use, VALIDATION_ERROR when nothing is configured. */
  resolve(userId: string, request: ModelRequest): Promise<ResolvedModel>;
}

/** An OpenAI-format upstream reached through the guarded client's byte-relaying request. */
export interface OpenAiPassthroughTarget {
  /** The upstream's `/chat/completions` URL. */
  url: string;
  /** Content type and the provider's credential; never a client's header. */
  headers: Record<string, string>;
  request: GuardedRequest;
}
