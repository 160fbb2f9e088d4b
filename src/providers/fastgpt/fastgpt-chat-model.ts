import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { JSONObject, LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { colloquyOptionsOf } from '../colloquy-call-options.ts';

export interface FastGptModelSettings {
  /** FastGPT's OpenAPI root, with or without its `/v1` (https://api.fastgpt.in/api). */
  baseUrl: string;
  apiKey: string | undefined;
  modelId: string;
  fetch: typeof globalThis.fetch;
}

/** FastGPT documents `…/api` as the root and `/v1/chat/completions` beneath it; accept both spellings. */
export function fastGptApiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

/**
 * A FastGPT app through its OpenAI-compatible chat completions. FastGPT adds `chatId` (it then
 * keeps the conversation's history and uses the last message as the question) and `variables`
 * (the app's global variables). `chatId` is our conversation id unless the caller names one;
 * `variables` and anything else come from `providerOptions.fastgpt`, which the OpenAI-compatible
 * adapter copies into the request body.
 */
export function createFastGptChatModel(settings: FastGptModelSettings): LanguageModelV3 {
  const inner = createOpenAICompatible({
    name: 'fastgpt',
    baseURL: fastGptApiRoot(settings.baseUrl),
    apiKey: settings.apiKey,
    fetch: settings.fetch,
    includeUsage: true,
  }).chatModel(settings.modelId);

  const withChatId = (options: LanguageModelV3CallOptions): LanguageModelV3CallOptions => {
    const { conversationId } = colloquyOptionsOf(options.providerOptions);
    const own: JSONObject = options.providerOptions?.fastgpt ?? {};
    const fastgpt: JSONObject = {
      ...(conversationId ? { chatId: conversationId } : {}),
      // Plain OpenAI chunks; `detail: true` would switch FastGPT to its own event names.
      detail: false,
      ...own,
    };
    return { ...options, providerOptions: { ...options.providerOptions, fastgpt } };
  };

  return {
    specificationVersion: 'v3',
    provider: 'fastgpt',
    modelId: settings.modelId,
    supportedUrls: {},
    doGenerate: (options) => inner.doGenerate(withChatId(options)),
    doStream: (options) => inner.doStream(withChatId(options)),
  };
}
