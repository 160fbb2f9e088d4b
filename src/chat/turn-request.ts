import { createHash } from 'node:crypto';
import type {
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3ToolChoice,
  SharedV3ProviderOptions,
} from '@ai-sdk/provider';
import type { ResolvedModel } from '../providers/resolved-model.ts';
import type { Message } from '../storage/repositories/messages-repository.ts';
import type { CallSettings } from './turn-runner.ts';

/** What a transport asks of the chat engine to start one turn. */
export interface TurnRequest {
  userId: string;
  apiKeyId: string | null;
  permissionLevel: number;
  conversationId: string;
  content: string;
  thinkingEnabled?: boolean;
  enabledTools?: string[];
  providerId?: string | null;
  model?: string | null;
  /** Set by the agent chat only: the agent, found visible to the caller, whose own provider the turn may use. */
  agentId?: string;
  idempotencyKey?: string;
  /** Which API started the turn (luxx, openai, anthropic …), for the usage ledger. */
  surface: string;
  /** Client-side ids and extras kept on the assistant message. */
  assistantMetadata?: Record<string, unknown>;
  /** The model already resolved by the caller (it had to check it first), so it is not resolved twice. */
  resolved?: ResolvedModel;
  /** Replaces the conversation's system prompt for this turn (agents, API clients). */
  systemPrompt?: string | null;
  /** Sampling settings over the conversation's own temperature and max tokens. */
  callSettings?: CallSettings;
  /** Tools the client runs itself; see `TurnRunInput.clientTools`. */
  clientTools?: LanguageModelV3FunctionTool[];
  toolChoice?: LanguageModelV3ToolChoice;
  /** Extra provider options; `colloquy: {conversationId, userId, turnId}` is always added. */
  providerOptions?: SharedV3ProviderOptions;
  /**
   * The messages that end the prompt, as an API client sent them (the last user message's text is
   * `content`, which is what gets stored). With `historyFromClient` they are the whole prompt and
   * the stored history is not read.
   */
  newMessages?: LanguageModelV3Message[];
  historyFromClient?: boolean;
  /** Edit-branching: the new user message goes under this message (null: a new root); see turn-branch.ts. */
  parentMessageId?: string | null;
  /** Regenerate: answer this stored user message again with a new sibling assistant message. */
  regenerateMessageId?: string;
}

export interface StartedTurn {
  turnId: string;
  conversationId: string;
  userMessage: Message;
  assistantMessage: Message;
  /** False when an Idempotency-Key matched an earlier request and that turn was returned. */
  created: boolean;
}

/** What an Idempotency-Key's repeat must match; fields only newer surfaces set count only when set. */
export function requestHash(request: TurnRequest): string {
  const { conversationId, content, thinkingEnabled, enabledTools } = request;
  const providerId = request.providerId ?? request.resolved?.provider.id;
  const model = request.model ?? request.resolved?.modelId;
  const extras = [request.systemPrompt, request.callSettings, request.clientTools, request.toolChoice, request.newMessages, request.historyFromClient, request.parentMessageId, request.regenerateMessageId];
  const hasExtras = extras.some((value) => value !== undefined);
  return createHash('sha256')
    .update(JSON.stringify([conversationId, content, thinkingEnabled ?? null, enabledTools ?? [], providerId ?? null, model ?? null, ...(hasExtras ? extras : [])]))
    .digest('hex');
}
