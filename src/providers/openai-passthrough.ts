import { baseUrlOf } from './model-factory.ts';
import { ollamaRootOf, requestFor, type OutboundHttp, type ProviderConnection } from './provider-connection.ts';
import type { OpenAiPassthroughTarget } from './resolved-model.ts';

/**
 * Where an OpenAI-format request can go unchanged: providers whose wire format is OpenAI's chat
 * completions (OpenAI, the OpenAI-compatible presets, Ollama's `/v1`). Undefined for the others,
 * and when the HTTP client offers no byte-relaying request (test stand-ins).
 */
export function openAiPassthroughFor(http: OutboundHttp, connection: ProviderConnection): OpenAiPassthroughTarget | undefined {
  if (connection.wireFormat !== 'openai-compatible' && connection.wireFormat !== 'ollama') return undefined;
  const request = requestFor(http, connection);
  if (!request) return undefined;
  const base = connection.wireFormat === 'ollama' ? `${ollamaRootOf(baseUrlOf(connection))}/v1` : baseUrlOf(connection);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  // A keyless provider sends no credential at all, as with the fetch path.
  if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;
  return { url: `${base}/chat/completions`, headers, request };
}
