import type * as AnthropicAdapter from '@ai-sdk/anthropic';
import type * as AzureAdapter from '@ai-sdk/azure';
import type * as GoogleAdapter from '@ai-sdk/google';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { AppError } from '../errors/app-error.ts';
import { requireLazily } from '../lazy-require.ts';
import { DifyChatModel } from './dify/dify-chat-model.ts';
import type { PlatformConversationStore } from './dify/platform-conversation-store.ts';
import { createFastGptChatModel } from './fastgpt/fastgpt-chat-model.ts';
import { ollamaRootOf, type ProviderConnection } from './provider-connection.ts';
import { describeProviderType } from './provider-types.ts';

/** The URL a provider's calls go to: its own, else its type's default (never an environment variable). */
export function baseUrlOf(connection: ProviderConnection): string {
  const url = connection.baseUrl ?? describeProviderType(connection.type)?.defaultBaseUrl;
  if (!url) throw new AppError('VALIDATION_ERROR', `provider "${connection.name}" has no base_url`);
  return url.replace(/\/+$/, '');
}

/**
 * Builds the AI SDK model for one provider and model id, wired to the given (guarded) fetch.
 *
 * The Anthropic, Google and Azure packages read ANTHROPIC_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY,
 * AZURE_API_KEY (and ANTHROPIC_BASE_URL, AZURE_RESOURCE_NAME) from the environment whenever the
 * option is not a string (provider-utils `loadApiKey`). So the key and URL are always passed
 * explicitly, an empty string for a keyless provider, and `fetchFor` strips the empty header:
 * no environment key can ever reach a user's URL.
 */
export function createLanguageModel(
  connection: ProviderConnection,
  modelId: string,
  fetch: typeof globalThis.fetch,
  /** Where stateful platforms (Dify) keep their conversation ids; absent for one-off calls such as tests. */
  platformConversations?: PlatformConversationStore,
): LanguageModelV3 {
  const apiKey = connection.apiKey ?? '';
  switch (connection.wireFormat) {
    case 'openai-compatible':
    case 'ollama': {
      const baseURL = connection.wireFormat === 'ollama' ? `${ollamaRootOf(baseUrlOf(connection))}/v1` : baseUrlOf(connection);
      // includeUsage asks for the usage chunk at the end of a stream; DeepSeek's reasoning_content is parsed as reasoning.
      return createOpenAICompatible({ name: connection.type, baseURL, apiKey: connection.apiKey, fetch, includeUsage: true }).chatModel(
        modelId,
      );
    }
    case 'anthropic': {
      const { createAnthropic } = requireLazily('@ai-sdk/anthropic') as typeof AnthropicAdapter;
      return createAnthropic({ baseURL: baseUrlOf(connection), apiKey, fetch }).languageModel(modelId);
    }
    case 'google': {
      const { createGoogleGenerativeAI } = requireLazily('@ai-sdk/google') as typeof GoogleAdapter;
      return createGoogleGenerativeAI({ baseURL: baseUrlOf(connection), apiKey, fetch }).languageModel(modelId);
    }
    case 'azure': {
      const { createAzure } = requireLazily('@ai-sdk/azure') as typeof AzureAdapter;
      const { resourceName, apiVersion, useDeploymentBasedUrls } = connection.settings;
      if (!connection.baseUrl && !resourceName) {
        throw new AppError('VALIDATION_ERROR', `Azure provider "${connection.name}" needs base_url or settings.resource_name`);
      }
      const azure = createAzure({
        ...(connection.baseUrl ? { baseURL: connection.baseUrl.replace(/\/+$/, '') } : { resourceName }),
        apiKey,
        fetch,
        ...(apiVersion ? { apiVersion } : {}),
        ...(useDeploymentBasedUrls ? { useDeploymentBasedUrls } : {}),
      });
      // Chat completions rather than the Responses API: every Azure deployment serves them.
      return azure.chat(modelId);
    }
    case 'fastgpt':
      return createFastGptChatModel({ baseUrl: baseUrlOf(connection), apiKey: connection.apiKey, modelId, fetch });
    case 'dify':
      return new DifyChatModel({
        providerId: connection.id, baseUrl: baseUrlOf(connection), apiKey: connection.apiKey, modelId, fetch,
        ...(platformConversations ? { conversations: platformConversations } : {}),
      });
  }
}
