import { AppError } from '../errors/app-error.ts';
import { knownContextWindow } from './known-models.ts';
import { baseUrlOf } from './model-factory.ts';
import { ollamaRootOf, type ProviderConnection } from './provider-connection.ts';
import { createSecretRedactor } from './secret-redaction.ts';

/** A model as LobeChat's model list shows it (its ChatModelCard's core fields). */
export interface ModelCard {
  id: string;
  displayName: string;
  enabled: true;
  contextWindowTokens?: number;
}

interface UpstreamModel {
  id: string;
  displayName?: string;
  contextWindow?: number;
}

/** How one wire format lists models: the request to send and how to read the answer. */
interface ListRequest {
  url: string;
  headers: Record<string, string>;
  read(body: unknown): UpstreamModel[];
}

const numberOrUndefined = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

const objects = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : [];

function listRequestFor(connection: ProviderConnection): ListRequest | undefined {
  const key = connection.apiKey;
  switch (connection.wireFormat) {
    case 'openai-compatible':
      return {
        url: `${baseUrlOf(connection)}/models`,
        headers: key ? { authorization: `Bearer ${key}` } : {},
        // OpenAI answers {data: [...]}; Together a bare array; routers add context_length.
        read: (body) =>
          objects(Array.isArray(body) ? body : (body as { data?: unknown } | null)?.data).map((model) => ({
            id: String(model.id ?? ''),
            displayName: typeof model.name === 'string' ? model.name : undefined,
            contextWindow: numberOrUndefined(model.context_length) ?? numberOrUndefined(model.context_window),
          })),
      };
    case 'anthropic':
      return {
        url: `${baseUrlOf(connection)}/models?limit=1000`,
        headers: { 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) },
        read: (body) =>
          objects((body as { data?: unknown } | null)?.data).map((model) => ({
            id: String(model.id ?? ''),
            displayName: typeof model.display_name === 'string' ? model.display_name : undefined,
          })),
      };
    case 'google':
      return {
        url: `${baseUrlOf(connection)}/models?pageSize=1000`,
        headers: key ? { 'x-goog-api-key': key } : {},
        read: (body) =>
          objects((body as { models?: unknown } | null)?.models)
            .filter((model) => !Array.isArray(model.supportedGenerationMethods) || model.supportedGenerationMethods.includes('generateContent'))
            .map((model) => ({
              id: String(model.name ?? '').replace(/^models\//, ''),
              displayName: typeof model.displayName === 'string' ? model.displayName : undefined,
              contextWindow: numberOrUndefined(model.inputTokenLimit),
            })),
      };
    case 'ollama':
      return {
        url: `${ollamaRootOf(baseUrlOf(connection))}/api/tags`,
        headers: {},
        read: (body) => objects((body as { models?: unknown } | null)?.models).map((model) => ({ id: String(model.name ?? model.model ?? '') })),
      };
    case 'azure':
      // Azure lists deployments only through its management API, with other credentials.
      return undefined;
    case 'dify':
      // A Dify key opens one app; `/info` names it, and the app is the one "model".
      return {
        url: `${baseUrlOf(connection)}/info`,
        headers: key ? { authorization: `Bearer ${key}` } : {},
        read: (body) => [{ id: 'dify-app', displayName: typeof (body as { name?: unknown } | null)?.name === 'string' ? (body as { name: string }).name : undefined }],
      };
    case 'fastgpt':
      // FastGPT has no model list; its app decides the model.
      return undefined;
  }
}

function cardOf(model: UpstreamModel): ModelCard {
  const contextWindowTokens = model.contextWindow ?? knownContextWindow(model.id);
  return {
    id: model.id,
    displayName: model.displayName ?? model.id,
    enabled: true,
    ...(contextWindowTokens ? { contextWindowTokens } : {}),
  };
}

/** The models a provider offers, asked of the upstream; throws PROVIDER_ERROR when it cannot answer. */
export async function fetchUpstreamModels(connection: ProviderConnection, guardedFetch: typeof globalThis.fetch): Promise<ModelCard[]> {
  const request = listRequestFor(connection);
  if (!request) throw new AppError('PROVIDER_ERROR', `${connection.type} providers cannot list their models`);
  let response: Response;
  try {
    response = await guardedFetch(request.url, { headers: { accept: 'application/json', ...request.headers }, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = createSecretRedactor([connection.apiKey])((error as Error).message);
    throw new AppError('PROVIDER_ERROR', `could not reach ${connection.name} to list models: ${reason}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError('PROVIDER_ERROR', `${connection.name} answered HTTP ${response.status} to the model list request`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new AppError('PROVIDER_ERROR', `${connection.name} sent a model list that is not JSON`, { cause: error });
  }
  const seen = new Set<string>();
  return request
    .read(body)
    .filter((model) => model.id !== '' && !seen.has(model.id) && Boolean(seen.add(model.id)))
    .map(cardOf);
}

/** The models configured on the provider itself, for when the upstream cannot list. */
export function configuredModels(models: readonly string[], defaultModel: string | null): ModelCard[] {
  const ids = [...new Set([...(defaultModel ? [defaultModel] : []), ...models])];
  return ids.map((id) => cardOf({ id }));
}
