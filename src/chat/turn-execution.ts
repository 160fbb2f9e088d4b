import type { DiagnosticLog } from '../diagnostics.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { MessagesRepository } from '../storage/repositories/messages-repository.ts';
import type { UsageRepository } from '../storage/repositories/usage-repository.ts';
import type { ChatEvent, TokenUsage } from './chat-event.ts';
import type { AttemptRecord } from './model-call.ts';
import type { RunLog } from './run-log.ts';
import type { TokenCounter } from './token-counter.ts';
import { createTurnPersister } from './turn-persister.ts';
import { recordAttemptUsage } from './usage-ledger.ts';
import { runTurn, type TurnRunInput, type TurnRunResult, type TurnRunSettings } from './turn-runner.ts';

/** Why a turn's signal was aborted when it was not the user's stop. */
export class ServerShutdown extends Error {
  override name = 'ServerShutdown';
}

export interface TurnExecutionContext {
  runLog: RunLog;
  messages: MessagesRepository;
  usage: UsageRepository;
  counter: TokenCounter;
  newId: IdGenerator;
  clock: () => Date;
  log: DiagnosticLog;
  settings: TurnRunSettings & { flushIntervalMs: number };
  sleep: (milliseconds: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
}

export interface TurnIdentity {
  turnId: string;
  userId: string;
  apiKeyId: string | null;
  conversationId: string;
  surface: string;
}

export const usageView = (usage: TokenUsage) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.totalTokens,
  ...(usage.reasoningTokens > 0 ? { reasoning_tokens: usage.reasoningTokens } : {}),
  ...(usage.cachedTokens > 0 ? { cached_tokens: usage.cachedTokens } : {}),
  ...(usage.estimated ? { estimated: true } : {}),
});

/**
 * Runs one turn to its end in the background: every event goes to the run log (for clients)
 * and the persister (for the database); the final state is stored before the `finish` event is
 * published, so a client that sees `finish` can read the finished message.
 */
export async function executeTurn(context: TurnExecutionContext, identity: TurnIdentity, input: TurnRunInput): Promise<void> {
  const { runLog, log } = context;
  const persister = createTurnPersister({
    messages: context.messages,
    userId: identity.userId,
    messageId: identity.turnId,
    flushIntervalMs: context.settings.flushIntervalMs,
    heartbeatMs: 15_000,
    clock: context.clock,
    onError: (error) => log.error({ err: error, turnId: identity.turnId }, 'could not save a turn’s progress'),
  });
  // A failed append (Redis refusing writes, a damaged key) must not leave readers waiting for
  // events that never come, nor hand them a stream with a hole in it: at the first failure the
  // run is ended at once with an error event that says so, and the turn goes on to its stored end.
  let appendFailure: unknown;
  let unpublished = 0;
  let streamEnding: Promise<void> | undefined;
  let lastAppend: Promise<void> = Promise.resolve();
  const endBrokenStream = async () => {
    try {
      const ended = await runLog.abandon(identity.turnId, brokenStreamEvent(identity.conversationId));
      if (!ended) log.warn({ turnId: identity.turnId }, 'a turn’s run log was already finished when its stream broke');
    } catch (error) {
      log.error({ err: error, turnId: identity.turnId }, 'could not end a broken turn stream; its readers end when they cannot read it');
    }
  };
  const publish = (event: ChatEvent) => {
    persister.apply(event);
    if (streamEnding) {
      unpublished += 1;
      return;
    }
    lastAppend = runLog.append(identity.turnId, event).catch((error) => {
      unpublished += 1;
      if (streamEnding) return;
      appendFailure = error;
      streamEnding = endBrokenStream();
    });
  };

  const ledgerIdentity = { ...identity, messageId: identity.turnId };
  const recordAttempt = (record: AttemptRecord) => recordAttemptUsage(context, ledgerIdentity, input.promptTokens, record);

  // Usage rows are written beside the turn, and waited for before it counts as ended.
  const usageWrites: Promise<void>[] = [];
  let result: TurnRunResult;
  try {
    result = await runTurn(
      input,
      context.settings,
      {
        emit: publish,
        onAttempt: (record) => {
          usageWrites.push(recordAttempt(record).catch((error) => log.error({ err: error, turnId: identity.turnId }, 'could not record usage')));
        },
        sleep: context.sleep,
        random: context.random,
      },
      context.counter,
    );
  } catch (error) {
    log.error({ err: error, turnId: identity.turnId }, 'a turn failed unexpectedly');
    result = {
      outcome: 'failed', finishReason: 'error', resolved: input.resolved,
      usage: { promptTokens: 0, completionTokens: 0, reasoningTokens: 0, cachedTokens: 0, totalTokens: 0, estimated: true },
      error: { code: 'INTERNAL_ERROR', message: 'the turn failed because of an internal error' },
    };
  }
  if (result.outcome === 'cancelled' && input.signal.reason instanceof ServerShutdown) {
    result = { ...result, outcome: 'incomplete', error: { code: 'SERVICE_UNAVAILABLE', message: 'the server shut down during this answer' } };
  }

  const usage = usageView(result.usage);
  await persister.finish({
    status: result.outcome,
    tokenCount: result.usage.totalTokens,
    usage,
    error: result.error?.message ?? null,
    model: result.resolved.modelId,
  });
  if (result.error && result.outcome === 'failed') {
    publish({ type: 'error', code: result.error.code, message: result.error.message });
  }
  publish({
    type: 'finish',
    outcome: result.outcome,
    finishReason: result.finishReason,
    usage: result.usage,
    tokenCount: result.usage.totalTokens,
  });
  await Promise.all(usageWrites);
  // Appends settle in order, so once the last has, every failure is known.
  await lastAppend;
  if (streamEnding) {
    await streamEnding;
    log.error({ err: appendFailure, turnId: identity.turnId, unpublishedEvents: unpublished }, 'some turn events could not be published; the stream was ended with an error');
    return;
  }
  try {
    await runLog.finish(identity.turnId);
  } catch (error) {
    log.error({ err: error, turnId: identity.turnId }, 'could not close a turn’s run log');
  }
}

/** What readers of a turn get when its events could not all be published. */
export function brokenStreamEvent(conversationId: string): ChatEvent {
  return {
    type: 'error',
    code: 'SERVICE_UNAVAILABLE',
    message: `the live stream of this answer broke: the server could not publish all its events. The answer goes on and is stored; read it from the conversation (GET /api/messages?conversation_id=${conversationId})`,
  };
}
