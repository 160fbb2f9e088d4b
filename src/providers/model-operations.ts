import type { Principal } from '../auth/principal.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import { configuredModels, fetchUpstreamModels, type ModelCard } from './model-catalog.ts';
import { pullOllamaModel } from './ollama-pull.ts';
import { fetchFor, type OutboundHttp } from './provider-connection.ts';
import type { ProviderDirectory, ProviderEntry } from './provider-directory.ts';
import { testProviderConnection, type ProviderTestResult } from './provider-tester.ts';
import { describeProviderType } from './provider-types.ts';

// Small answers expected: a model list or a one-token reply.
const smallCallLimits = { headersTimeoutMs: 30_000, maxResponseBytes: 8 * 1024 * 1024 };

/**
 * What the API does with a provider besides storing it: list its models, pull an Ollama model,
 * test the connection. Each acts only on a provider the caller can use, with its own key.
 */
export function createModelOperations(dependencies: { directory: ProviderDirectory; http: OutboundHttp }) {
  const { directory, http } = dependencies;

  /** A provider id, or a type or preset name (`ollama`, `deepseek`, `qwen`) or a provider's name. */
  async function providerByReference(userId: string, reference: string): Promise<ProviderEntry> {
    const byId = await directory.findVisible(userId, reference);
    if (byId) return byId;
    const usable = await directory.usable(userId);
    const type = describeProviderType(reference)?.type;
    const wanted = reference.trim().toLowerCase();
    const found =
      (type && usable.find((entry) => entry.record.providerType === type || entry.record.settings.preset === type)) ||
      usable.find((entry) => entry.record.name.toLowerCase() === wanted);
    if (!found) throw notFound(`provider "${reference}"`);
    return found;
  }

  return {
    /** The upstream's model list, or the provider's configured models when the upstream cannot list. */
    async listModels(userId: string, reference: string): Promise<ModelCard[]> {
      const entry = await providerByReference(userId, reference);
      const connection = directory.connectionOf(entry);
      const configured = configuredModels(entry.record.models, entry.record.defaultModel);
      try {
        const listed = await fetchUpstreamModels(connection, fetchFor(http, connection, smallCallLimits));
        return listed.length > 0 ? listed : configured;
      } catch (error) {
        if (configured.length > 0 && error instanceof AppError) return configured;
        throw error;
      }
    },

    /** Ollama's NDJSON pull progress, line by line; 400 for any other kind of provider. */
    async pull(userId: string, reference: string, model: string, signal: AbortSignal): Promise<AsyncGenerator<string>> {
      const entry = await providerByReference(userId, reference);
      const connection = directory.connectionOf(entry);
      if (connection.wireFormat !== 'ollama') {
        throw validationError(`only Ollama providers can pull models; "${entry.record.name}" is ${entry.record.providerType}`);
      }
      // Pulls run for minutes; only the wait for the first byte is bounded.
      return pullOllamaModel(connection, fetchFor(http, connection, { headersTimeoutMs: 60_000 }), model, signal);
    },

    /** `forAgentId`: the agent (found visible to the caller) whose own provider this is. */
    async test(principal: Principal, id: string, model: string | undefined, options: { forAgentId?: string } = {}): Promise<ProviderTestResult> {
      const entry = await directory.findVisible(principal.user.id, id, {
        includeDisabledSystem: principal.isAdmin, includeAgentBound: principal.isAdmin, ...options,
      });
      if (!entry) throw notFound('provider');
      const connection = directory.connectionOf(entry);
      const chosenModel = model ?? entry.record.defaultModel ?? entry.record.models[0];
      return testProviderConnection(connection, fetchFor(http, connection, smallCallLimits), chosenModel ?? undefined);
    },
  };
}

export type ModelOperations = ReturnType<typeof createModelOperations>;
