import type { IdGenerator } from '../storage/ids.ts';
import type { UsageRepository } from '../storage/repositories/usage-repository.ts';
import type { AttemptRecord } from './model-call.ts';
import type { TokenCounter } from './token-counter.ts';

/** Who a model call was made for, as the ledger names it. */
export interface LedgerIdentity {
  userId: string;
  apiKeyId: string | null;
  surface: string;
  conversationId: string | null;
  messageId: string | null;
}

export interface LedgerContext {
  usage: UsageRepository;
  counter: TokenCounter;
  newId: IdGenerator;
  clock: () => Date;
}

/**
 * Writes one ledger row for one upstream attempt. Without a provider report the completion is
 * counted locally and the prompt taken from our own count, and the row says so
 * (`usage_estimated`).
 */
export async function recordAttemptUsage(
  context: LedgerContext,
  identity: LedgerIdentity,
  promptTokens: number,
  record: AttemptRecord,
): Promise<void> {
  const usage = record.usage;
  const completion = usage?.completionTokens ?? (record.producedText ? await context.counter.count(record.producedText) : 0);
  const prompt = usage?.promptTokens ?? (record.status === 'success' ? promptTokens : 0);
  await context.usage.insert({
    id: context.newId(),
    userId: identity.userId,
    apiKeyId: identity.apiKeyId,
    providerId: record.resolved.provider.id,
    providerType: record.resolved.provider.type,
    model: record.resolved.modelId,
    surface: identity.surface,
    conversationId: identity.conversationId,
    messageId: identity.messageId,
    promptTokens: prompt,
    completionTokens: completion,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    cachedTokens: usage?.cachedTokens ?? 0,
    totalTokens: usage?.totalTokens ?? prompt + completion,
    usageEstimated: !usage,
    latencyMs: record.latencyMs,
    timeToFirstTokenMs: record.timeToFirstTokenMs ?? null,
    status: record.status,
    errorCode: record.errorCode ?? null,
    attempt: record.attempt,
    createdAt: context.clock().toISOString(),
  });
}
