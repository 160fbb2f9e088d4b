import type { LanguageModelV3FunctionTool, LanguageModelV3Message, LanguageModelV3ToolChoice, SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { DiagnosticLog } from '../diagnostics.ts';
import type { ModelResolver, ResolvedModel } from '../providers/resolved-model.ts';
import { emptyUsage } from './chat-event.ts';
import { messageText } from './context-window.ts';
import { createEventChannel } from './event-channel.ts';
import type { RunEvent } from './run-log.ts';
import { runTurn, type CallSettings, type TurnRunSettings } from './turn-runner.ts';
import { recordAttemptUsage, type LedgerContext } from './usage-ledger.ts';

export interface DirectCallRequest {
  userId: string;
  apiKeyId: string | null;
  permissionLevel: number;
  surface: string;
  providerId?: string | null;
  model?: string | null;
  /** The model, when the caller resolved it already (then providerId and model are not used). */
  resolved?: ResolvedModel;
  /** The whole prompt, system messages first, as the client sent it. */
  messages: LanguageModelV3Message[];
  callSettings?: CallSettings;
  clientTools?: LanguageModelV3FunctionTool[];
  toolChoice?: LanguageModelV3ToolChoice;
  thinking?: boolean;
  providerOptions?: SharedV3ProviderOptions;
  /** Aborts the upstream call: the client went away. */
  signal: AbortSignal;
}

export interface DirectCall {
  id: string;
  resolved: ResolvedModel;
  createdAt: string;
  /** Numbered like a run log's events, so the same encoders serve both. */
  events: AsyncIterable<RunEvent>;
}

export interface DirectCallContext extends LedgerContext {
  models: ModelResolver;
  log: DiagnosticLog;
  settings: TurnRunSettings;
  sleep: (milliseconds: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
}

/**
 * A model call that stores nothing but its usage: the OpenAI and Anthropic surfaces without a
 * session. It lives as long as its client: the client's signal aborts the upstream call. Client
 * tools end the call at `tool-calls`; server tools are never offered here.
 */
export async function startDirectCall(context: DirectCallContext, request: DirectCallRequest): Promise<DirectCall> {
  const resolved = request.resolved ?? (await context.models.resolve(request.userId, { providerId: request.providerId, model: request.model }));
  const id = context.newId();
  const createdAt = context.clock().toISOString();
  const promptTokens = await context.counter.count(request.messages.map(messageText).join('\n'));
  const channel = createEventChannel<RunEvent>();
  let seq = 0;
  const emit = (event: RunEvent['event']) => channel.push({ seq: (seq += 1), event });
  const identity = { userId: request.userId, apiKeyId: request.apiKeyId, surface: request.surface, conversationId: null, messageId: id };

  emit({ type: 'turn-start', turnId: id, conversationId: '', userMessageId: '', assistantMessageId: id, providerId: resolved.provider.id, model: resolved.modelId, createdAt });
  const usageWrites: Promise<void>[] = [];
  void (async () => {
    try {
      const result = await runTurn(
        {
          resolved, messages: request.messages, promptTokens, tools: [],
          toolContext: { userId: request.userId, permissionLevel: request.permissionLevel },
          thinking: request.thinking ?? false, callSettings: request.callSettings, clientTools: request.clientTools,
          toolChoice: request.toolChoice, providerOptions: request.providerOptions, signal: request.signal,
        },
        context.settings,
        {
          emit,
          onAttempt: (record) => {
            usageWrites.push(
              recordAttemptUsage(context, identity, promptTokens, record).catch((error) =>
                context.log.error({ err: error, callId: id }, 'could not record usage'),
              ),
            );
          },
          sleep: context.sleep,
          random: context.random,
        },
        context.counter,
      );
      if (result.error && result.outcome === 'failed') emit({ type: 'error', code: result.error.code, message: result.error.message });
      emit({ type: 'finish', outcome: result.outcome, finishReason: result.finishReason, usage: result.usage, tokenCount: result.usage.totalTokens });
    } catch (error) {
      context.log.error({ err: error, callId: id }, 'a direct model call failed unexpectedly');
      emit({ type: 'error', code: 'INTERNAL_ERROR', message: 'the call failed because of an internal error' });
      emit({ type: 'finish', outcome: 'failed', finishReason: 'error', usage: { ...emptyUsage(), estimated: true }, tokenCount: 0 });
    } finally {
      await Promise.all(usageWrites);
      channel.end();
    }
  })();
  return { id, resolved, createdAt, events: channel };
}
