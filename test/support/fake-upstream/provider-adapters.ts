import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { FakeUpstream } from './fake-upstream.ts';
import type { FakeWireFormat } from './request-route.ts';

/** The official AI SDK adapters the chat engine uses, pointed at a fake upstream; the proof that its wire formats are real. */
export interface ProviderAdapter {
  format: Exclude<FakeWireFormat, 'ollama' | 'unknown'>;
  modelId: string;
  create(fake: FakeUpstream): LanguageModelV3;
}

export const providerAdapters: ProviderAdapter[] = [
  {
    format: 'openai',
    modelId: 'm',
    create: (fake) => createOpenAICompatible({ name: 'fake', baseURL: fake.openaiBaseUrl, apiKey: 'k', includeUsage: true })('m'),
  },
  { format: 'anthropic', modelId: 'claude-x', create: (fake) => createAnthropic({ baseURL: fake.anthropicBaseUrl, apiKey: 'k' })('claude-x') },
  { format: 'google', modelId: 'gemini-x', create: (fake) => createGoogleGenerativeAI({ baseURL: fake.googleBaseUrl, apiKey: 'k' })('gemini-x') },
];

export function callOptions(overrides: Partial<LanguageModelV3CallOptions> = {}): LanguageModelV3CallOptions {
  return {
    prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    tools: [
      {
        type: 'function',
        name: 'get_weather',
        description: 'Weather in a city',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
    ...overrides,
  };
}

/** Reads a stream to its end; a stream that breaks shows up as an `error` part after what arrived. */
export function readStreamParts(stream: ReadableStream<LanguageModelV3StreamPart>): Promise<LanguageModelV3StreamPart[]> {
  return readRemainingParts(stream.getReader());
}

export async function readRemainingParts(reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart>): Promise<LanguageModelV3StreamPart[]> {
  const parts: LanguageModelV3StreamPart[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return parts;
      parts.push(value);
    }
  } catch (error) {
    parts.push({ type: 'error', error });
    return parts;
  }
}

/** Reads parts until one matches, leaving the rest of the stream unread. */
export async function readUntil(
  reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart>,
  isWanted: (part: LanguageModelV3StreamPart) => boolean,
): Promise<LanguageModelV3StreamPart[]> {
  const parts: LanguageModelV3StreamPart[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before the wanted part; got ${parts.map((part) => part.type).join(', ')}`);
    parts.push(value);
    if (isWanted(value)) return parts;
  }
}

export function joinedDeltas(parts: LanguageModelV3StreamPart[], type: 'text-delta' | 'reasoning-delta'): string {
  return parts.flatMap((part) => (part.type === type ? [part.delta] : [])).join('');
}

export function finishOf(parts: LanguageModelV3StreamPart[]): Extract<LanguageModelV3StreamPart, { type: 'finish' }> | undefined {
  return parts.find((part) => part.type === 'finish') as Extract<LanguageModelV3StreamPart, { type: 'finish' }> | undefined;
}

export function hasError(parts: LanguageModelV3StreamPart[]): boolean {
  return parts.some((part) => part.type === 'error');
}

/** Adapters pass in-stream errors on as they parsed them: an Error, or the provider's error object. */
export function errorMessages(parts: LanguageModelV3StreamPart[]): string[] {
  return parts.flatMap((part) => {
    if (part.type !== 'error') return [];
    const error = part.error as { message?: unknown } | undefined;
    return [typeof error?.message === 'string' ? error.message : String(part.error)];
  });
}
