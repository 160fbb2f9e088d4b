import { setTimeout as delay } from 'node:timers/promises';
import { AppError, notFound } from '../errors/app-error.ts';
import type { ModelResolver } from '../providers/resolved-model.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { refuseToolCall } from '../tools/tool-refusal.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import { defaultConversationTitle } from '../conversations/conversation-service.ts';
import type { ConversationTransaction } from '../storage/repositories/conversation-transaction.ts';
import type { ConversationsRepository } from '../storage/repositories/conversations-repository.ts';
import type { Message } from '../storage/repositories/messages-repository.ts';
import type { TurnRequestsRepository } from '../storage/repositories/turn-requests-repository.ts';
import { buildContext, messageText } from './context-window.ts';
import { checkMessageSizes } from './message-size.ts';
import { resolveTurnBranch } from './turn-branch.ts';
import type { RunEvent } from './run-log.ts';
import { readReportingBreaks } from './run-log-reading.ts';
import { replayStoredTurn } from './stored-turn-replay.ts';
import { executeTurn, ServerShutdown, type TurnExecutionContext } from './turn-execution.ts';
import type { CallSettings } from './turn-runner.ts';
import { requestHash, type StartedTurn, type TurnRequest } from './turn-request.ts';
import { relayPassthrough, type PassthroughOutcome, type PassthroughRequest, type PassthroughSink } from './passthrough-call.ts';
import { startDirectCall, type DirectCall, type DirectCallRequest } from './direct-call.ts';

export type { StartedTurn, TurnRequest } from './turn-request.ts';

/** What a turn's execution needs, plus what starting one needs; `sleep` and `random` have defaults. */
export interface ChatServiceOptions extends Omit<TurnExecutionContext, 'sleep' | 'random'> {
  conversations: ConversationsRepository;
  turnRequests: TurnRequestsRepository;
  transaction: ConversationTransaction;
  models: ModelResolver;
  tools: ToolRegistry;
  /** Where refused tool calls are recorded. */
  audit?: AuditLog;
  sleep?: TurnExecutionContext['sleep'];
  /** The turn's settings, and the longest content of one message a client may send (`chat.maxMessageCharacters`). */
  settings: TurnExecutionContext['settings'] & { maxMessageCharacters: number };
}

const abortableSleep = (milliseconds: number, signal: AbortSignal) =>
  delay(milliseconds, undefined, { signal }).catch(() => undefined);


/** The settings a request actually sets, so its unset ones do not hide the conversation's. */
const definedOnly = <T extends object>(settings: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(settings ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;

const titleFrom = (content: string) => {
  const line = content.replace(/\s+/g, ' ').trim();
  return line.length > 50 ? `${line.slice(0, 50)}…` : line || defaultConversationTitle;
};

/**
 * Starts, follows and stops chat turns. A turn runs in the background, independent of the
 * request that started it: transports start one, then read its events from the run log.
 */
export function createChatService(options: ChatServiceOptions) {
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const execution: TurnExecutionContext = { ...options, sleep: options.sleep ?? abortableSleep, random: Math.random };
  const directContext = { ...execution, models: options.models };

  async function existingTurn(request: TurnRequest): Promise<StartedTurn | undefined> {
    if (!request.idempotencyKey) return undefined;
    const record = await options.turnRequests.find(request.userId, request.idempotencyKey);
    if (!record) return undefined;
    if (record.requestHash !== requestHash(request)) {
      throw new AppError('CONFLICT', 'this Idempotency-Key was already used for a different request; use a new key');
    }
    const [userMessage, assistantMessage] = await Promise.all([
      options.messages.findForUser(request.userId, record.userMessageId),
      options.messages.findForUser(request.userId, record.assistantMessageId),
    ]);
    if (!userMessage || !assistantMessage) throw new AppError('GONE', 'the turn this Idempotency-Key created has been deleted');
    return { turnId: assistantMessage.id, conversationId: record.conversationId, userMessage, assistantMessage, created: false };
  }

  async function start(request: TurnRequest): Promise<StartedTurn> {
    checkMessageSizes([request.content, request.systemPrompt, ...(request.newMessages ?? []).map(messageText)], options.settings.maxMessageCharacters);
    const earlier = await existingTurn(request);
    if (earlier) return earlier;
    const conversation = await options.conversations.findForUser(request.userId, request.conversationId);
    if (!conversation) throw notFound('conversation');
    const resolved =
      request.resolved ??
      (await options.models.resolve(request.userId, {
        providerId: request.providerId ?? conversation.providerId,
        model: request.model ?? conversation.model,
        ...(request.agentId ? { agentId: request.agentId } : {}),
      }));
    const callSettings: CallSettings = {
      temperature: conversation.temperature ?? undefined,
      maxOutputTokens: conversation.maxTokens ?? undefined,
      ...definedOnly(request.callSettings),
    };
    const maxOutputTokens = callSettings.maxOutputTokens ?? resolved.maxOutputTokens;
    const branch = await resolveTurnBranch(options.messages, { ...request, conversationId: conversation.id });
    const history = branch.history;
    const context = await buildContext(
      {
        systemPrompt: request.systemPrompt !== undefined ? request.systemPrompt : conversation.systemPrompt,
        history, userContent: branch.regenerated?.content ?? request.content, newMessages: request.newMessages, contextWindow: resolved.contextWindow, maxOutputTokens,
      },
      options.counter,
    );
    const tools = await options.tools.available(request.userId, request.enabledTools ?? [], request.permissionLevel);

    const at = options.clock().toISOString();
    const userMessageId = branch.regenerated?.id ?? options.newId();
    const turnId = options.newId();
    // The run log exists before the turn is committed, so nobody who can see the turn (a repeat
    // with the same Idempotency-Key) finds it without its log; a turn that is not committed has
    // its log ended at once.
    await options.runLog.create(turnId, request.userId);
    await options.runLog.append(turnId, {
      type: 'turn-start', turnId, conversationId: conversation.id, userMessageId, assistantMessageId: turnId,
      providerId: resolved.provider.id, model: resolved.modelId, createdAt: at,
    });
    const abandonLog = () =>
      options.runLog.finish(turnId).catch((error) => options.log.warn({ err: error, turnId }, 'could not end an unused run log'));
    const stored = await options.transaction(async (repositories) => {
      if (!(await repositories.conversations.touch(request.userId, conversation.id, at))) throw notFound('conversation');
      if (request.idempotencyKey) {
        const recorded = await repositories.turnRequests.insert({
          userId: request.userId, idempotencyKey: request.idempotencyKey, requestHash: requestHash(request),
          conversationId: conversation.id, userMessageId, assistantMessageId: turnId, createdAt: at,
        });
        if (!recorded) return undefined;
      }
      if (conversation.title === defaultConversationTitle && history.length === 0) {
        await repositories.conversations.update(request.userId, conversation.id, { title: titleFrom(request.content) }, at);
      }
      return repositories.messages.createMany(request.userId, conversation.id, [
        ...(branch.regenerated ? [] : [{ id: userMessageId, role: 'user' as const, content: request.content, parentId: branch.parentId, tokenCount: context.userMessageTokens, now: at }]),
        {
          id: turnId, role: 'assistant', content: '', status: 'generating', model: resolved.modelId, parentId: userMessageId,
          metadata: { providerId: resolved.provider.id, ...request.assistantMetadata }, now: at,
        },
      ]);
    }).catch(async (error: unknown) => {
      await abandonLog();
      throw error;
    });
    // A concurrent request with the same Idempotency-Key won the race; answer with its turn.
    if (!stored) {
      await abandonLog();
      return (await existingTurn(request))!;
    }

    const controller = new AbortController();
    const unsubscribe = options.runLog.onStop(turnId, () => controller.abort(new Error('stopped by the user')));
    const done = executeTurn(
      execution,
      { turnId, userId: request.userId, apiKeyId: request.apiKeyId, conversationId: conversation.id, surface: request.surface },
      {
        resolved, messages: context.messages, promptTokens: context.promptTokens, tools,
        toolContext: { userId: request.userId, permissionLevel: request.permissionLevel, conversationId: conversation.id },
        thinking: request.thinkingEnabled ?? conversation.thinkingEnabled,
        callSettings,
        clientTools: request.clientTools,
        toolChoice: request.toolChoice,
        providerOptions: {
          ...request.providerOptions,
          colloquy: { conversationId: conversation.id, userId: request.userId, turnId },
        },
        refuseTool: async (toolName) => {
          const refusal = await refuseToolCall(options, undefined, {
            userId: request.userId, permissionLevel: request.permissionLevel, toolName, via: 'chat', conversationId: conversation.id, turnId,
          });
          return refusal.message;
        },
        signal: controller.signal,
      },
    )
      .catch((error) => options.log.error({ err: error, turnId }, 'a turn ended with an unexpected error'))
      .finally(() => {
        unsubscribe();
        running.delete(turnId);
      });
    running.set(turnId, { controller, done });
    return { turnId, conversationId: conversation.id, userMessage: branch.regenerated ?? stored[0]!, assistantMessage: stored.at(-1)!, created: true };
  }

  async function ownedRun(userId: string, turnId: string) {
    const info = await options.runLog.info(turnId);
    return info && info.userId === userId ? info : undefined;
  }

  return {
    start,

    /** A model call that stores nothing but usage, aborted with `request.signal`; see direct-call.ts. */
    direct: async (request: DirectCallRequest): Promise<DirectCall> => {
      checkMessageSizes(request.messages.map(messageText), options.settings.maxMessageCharacters);
      return startDirectCall(directContext, request);
    },

    /** The same, relayed byte for byte to an upstream that speaks the client's format; see passthrough-call.ts. */
    relay: async (request: PassthroughRequest, sink: PassthroughSink): Promise<PassthroughOutcome> => {
      checkMessageSizes(request.messageTexts(), options.settings.maxMessageCharacters);
      return relayPassthrough(directContext, request, sink);
    },

    /**
     * The turn's events after `afterSeq`, live until it ends. A turn whose run log has expired
     * is replayed from the stored message when read from the start; read from the middle it
     * answers GONE, since the exact remainder can no longer be told. With `includeEarlier` the
     * events up to `afterSeq` come too, for encoders that must fold them to rebuild state.
     */
    async events(
      userId: string,
      turnId: string,
      afterSeq: number,
      signal?: AbortSignal,
      { includeEarlier = false }: { includeEarlier?: boolean } = {},
    ): Promise<AsyncIterable<RunEvent>> {
      let owned: Awaited<ReturnType<typeof ownedRun>>;
      let unreadable: unknown;
      try {
        owned = await ownedRun(userId, turnId);
      } catch (error) {
        unreadable = error;
        options.log.error({ err: error, turnId }, 'a turn’s run log could not be read');
      }
      // Snapshot encoders (Luxx) fold earlier events again to rebuild what the client holds.
      if (owned) return readReportingBreaks(options.runLog.read(turnId, includeEarlier ? 0 : afterSeq, signal), afterSeq, turnId, options.log);
      const message = await options.messages.findForUser(userId, turnId);
      if (!message || message.role !== 'assistant') throw notFound('turn');
      if (unreadable && (message.status === 'generating' || afterSeq > 0)) {
        throw new AppError('SERVICE_UNAVAILABLE', `this answer’s live stream cannot be read right now (its run log is unavailable); read the stored answer from its conversation (GET /api/messages?conversation_id=${message.conversationId})`, { retryAfterSeconds: 5 });
      }
      if (message.status === 'generating') {
        throw new AppError('SERVICE_UNAVAILABLE', 'this answer is being generated by a server that is not reachable from here; try again shortly', { retryAfterSeconds: 5 });
      }
      if (afterSeq > 0) throw new AppError('GONE', 'this turn’s event log has expired; read the message instead');
      return replayStoredTurn(message);
    },

    /** Asks a running turn to stop; its message ends as `cancelled`. */
    async stop(userId: string, turnId: string): Promise<{ stopped: boolean }> {
      const info = await ownedRun(userId, turnId);
      if (!info) {
        const message = await options.messages.findForUser(userId, turnId);
        if (!message || message.role !== 'assistant') throw notFound('turn');
        return { stopped: false };
      }
      return { stopped: await options.runLog.requestStop(turnId) };
    },

    /** Waits for a turn to end, then returns its stored assistant message. */
    async awaitResult(userId: string, turnId: string, signal?: AbortSignal): Promise<Message> {
      for await (const _event of await this.events(userId, turnId, 0, signal)) {
        // Drain: the stream ends after `finish`.
      }
      const message = await options.messages.findForUser(userId, turnId);
      if (!message) throw notFound('message');
      return message;
    },

    /** Ends running turns as `incomplete` (graceful shutdown), waiting for their final writes. */
    async close(): Promise<void> {
      const turns = [...running.values()];
      for (const turn of turns) turn.controller.abort(new ServerShutdown('shutting down'));
      await Promise.allSettled(turns.map((turn) => turn.done));
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
