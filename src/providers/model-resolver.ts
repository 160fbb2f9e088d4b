import type { SharedV3ProviderOptions } from '@ai-sdk/provider';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import { knownContextWindow } from './known-models.ts';
import { aliasFor, aliasProvider, providerAnswersTo, unresolvedAliasError, type ModelAliases } from './model-aliases.ts';
import type { PlatformConversationStore } from './dify/platform-conversation-store.ts';
import { createLanguageModel } from './model-factory.ts';
import { openAiPassthroughFor } from './openai-passthrough.ts';
import { fetchFor, type OutboundHttp, type ProviderConnection } from './provider-connection.ts';
import { isSystemEntry, type ProviderDirectory, type ProviderEntry } from './provider-directory.ts';
import { describeProviderType } from './provider-types.ts';
import type { ModelRequest, ModelResolver, ResolvedModel } from './resolved-model.ts';
import { createSecretRedactor } from './secret-redaction.ts';

const defaultThinkingBudgetTokens = 4096;

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/** Provider options that switch visible reasoning on; OpenAI-compatible reasoners stream it unasked. */
function thinkingOptionsFor(connection: ProviderConnection): (enabled: boolean) => SharedV3ProviderOptions | undefined {
  return (enabled): SharedV3ProviderOptions | undefined => {
    if (!enabled) return undefined;
    switch (connection.wireFormat) {
      case 'anthropic': {
        const budgetTokens = connection.settings.thinkingBudgetTokens ?? defaultThinkingBudgetTokens;
        return { anthropic: { thinking: { type: 'enabled', budgetTokens } } };
      }
      case 'google':
        return { google: { thinkingConfig: { includeThoughts: true } } };
      default:
        return undefined;
    }
  };
}

/** Agent platforms (Dify, FastGPT) choose their own model; any label will do, so they never need one set. */
function platformModelLabel(providerType: string): string | undefined {
  const info = describeProviderType(providerType);
  return info && (info.wireFormat === 'dify' || info.wireFormat === 'fastgpt') ? info.knownModels[0]?.id : undefined;
}

const offers = (entry: ProviderEntry, model: string): boolean =>
  entry.record.defaultModel === model || entry.record.models.includes(model);

/**
 * Turns "this user wants provider P, model M" (either may be absent) into an AI SDK model wired
 * to the guarded HTTP client and P's own key.
 */
export function createModelResolver(dependencies: {
  directory: ProviderDirectory;
  http: OutboundHttp;
  defaultContextWindow: number;
  platformConversations?: PlatformConversationStore;
  /** The operator's model aliases; consulted whenever a request names a model but no provider. */
  aliases?: ModelAliases;
}): ModelResolver {
  const { directory, http, defaultContextWindow, platformConversations, aliases = {} } = dependencies;

  /**
   * Picks the provider when the request names none: an alias first (the operator's word wins),
   * then a provider offering the model, then `<provider>/<model>`, then the caller's default.
   */
  async function choose(userId: string, model: string | undefined): Promise<{ entry: ProviderEntry; model: string | undefined }> {
    const usable = await directory.usable(userId);
    const alias = model ? aliasFor(aliases, model) : undefined;
    if (model && alias) {
      const entry = aliasProvider(usable, alias);
      if (!entry) throw unresolvedAliasError(model, alias);
      return { entry, model: alias.model };
    }
    if (usable.length === 0) throw validationError('no LLM provider is configured; add one at POST /api/providers');
    if (model) {
      const offering = usable.find((entry) => offers(entry, model));
      if (offering) return { entry: offering, model };
      const slash = model.indexOf('/');
      if (slash > 0 && slash < model.length - 1) {
        const named = usable.find((entry) => providerAnswersTo(entry, model.slice(0, slash)));
        if (named) return { entry: named, model: model.slice(slash + 1) };
      }
    }
    return { entry: usable[0]!, model };
  }

  async function resolveChain(userId: string, request: ModelRequest, visited: Set<string>): Promise<ResolvedModel> {
    const requestedModel = request.model?.trim() || undefined;
    let entry: ProviderEntry;
    let modelId: string | undefined;
    if (request.providerId) {
      const found = await directory.findVisible(userId, request.providerId, request.agentId ? { forAgentId: request.agentId } : {});
      if (!found) throw notFound('provider');
      if (!found.record.enabled) throw validationError(`provider "${found.record.name}" is disabled`);
      entry = found;
      modelId = requestedModel;
    } else {
      ({ entry, model: modelId } = await choose(userId, requestedModel));
    }
    const { record } = entry;
    modelId ??= record.defaultModel ?? record.models[0] ?? platformModelLabel(record.providerType);
    if (!modelId) {
      throw validationError(`provider "${record.name}" has no default model; send a model or set its default_model`);
    }
    const connection = directory.connectionOf(entry);
    visited.add(record.id);
    const fallbackProviderId = record.fallbackProviderId;
    const fallbackModel = record.fallbackModel;
    const hasFallback = Boolean(fallbackProviderId || (fallbackModel && fallbackModel !== modelId));

    return {
      provider: { id: record.id, name: record.name, type: record.providerType, isSystem: isSystemEntry(entry) },
      modelId,
      // Built on first use: the OpenAI relay never needs the AI SDK model, whose schemas are costly to build.
      get model() {
        const model = createLanguageModel(connection, modelId!, fetchFor(http, connection), platformConversations);
        Object.defineProperty(this, 'model', { value: model, enumerable: true });
        return model;
      },
      ...optional('openAiPassthrough', openAiPassthroughFor(http, connection)),
      contextWindow: record.contextWindow ?? knownContextWindow(modelId) ?? defaultContextWindow,
      ...(record.maxTokens ? { maxOutputTokens: record.maxTokens } : {}),
      thinkingOptions: thinkingOptionsFor(connection),
      redactSecrets: createSecretRedactor([connection.apiKey]),
      ...(hasFallback
        ? {
            fallback: async () => {
              const nextProvider = fallbackProviderId ?? record.id;
              // A chain that comes back to a provider already tried ends here rather than looping.
              if (fallbackProviderId && visited.has(fallbackProviderId)) return undefined;
              try {
                return await resolveChain(userId, { providerId: nextProvider, model: fallbackModel, ...(request.agentId ? { agentId: request.agentId } : {}) }, new Set(visited));
              } catch (error) {
                // A fallback deleted or disabled since it was set is no fallback; the first error stands.
                if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'VALIDATION_ERROR')) return undefined;
                throw error;
              }
            },
          }
        : {}),
    };
  }

  return {
    resolve: (userId, request) => resolveChain(userId, request, new Set()),
  };
}
