import type { Config } from '../config/schema.ts';
import type { ProviderSettings, StoredProvider } from '../storage/repositories/providers-repository.ts';
import { findPreset, providerPresets } from './provider-presets.ts';
import { describeProviderType } from './provider-types.ts';
import { maskSecret } from './secret-box.ts';

/** A system provider built from the environment at start: in memory only, read-only through the API. */
export interface EnvironmentProvider {
  record: StoredProvider;
  /** The key from the environment; never stored, never shown except masked to admins. */
  apiKey: string | undefined;
}

export const environmentProviderIdPrefix = 'env-';

interface Source {
  type: string;
  apiKey?: string;
  baseUrl?: string;
  settings?: ProviderSettings;
  /** Named after the preset (env-deepseek) rather than the type. */
  idName?: string;
}

function sourcesOf(providers: Config['providers']): Source[] {
  const sources: Source[] = [];
  // A base URL alone is enough for OpenAI: a keyless local server (LM Studio, vLLM) speaks its format.
  if (providers.openaiApiKey || providers.openaiBaseUrl) {
    sources.push({ type: 'openai', apiKey: providers.openaiApiKey, baseUrl: providers.openaiBaseUrl });
  }
  if (providers.anthropicApiKey) {
    sources.push({ type: 'anthropic', apiKey: providers.anthropicApiKey, baseUrl: providers.anthropicBaseUrl });
  }
  if (providers.googleApiKey) {
    sources.push({ type: 'google', apiKey: providers.googleApiKey, baseUrl: providers.googleBaseUrl });
  }
  if (providers.azureApiKey && providers.azureResourceName) {
    sources.push({ type: 'azure', apiKey: providers.azureApiKey, settings: { resourceName: providers.azureResourceName } });
  }
  if (providers.ollamaBaseUrl) sources.push({ type: 'ollama', baseUrl: providers.ollamaBaseUrl });
  for (const preset of providerPresets) {
    const apiKey = providers.presetApiKeys[preset.name];
    if (apiKey) sources.push({ type: preset.name, apiKey, settings: { preset: preset.name }, idName: preset.name });
  }
  return sources;
}

/**
 * The system providers the operator configured through the environment, with stable ids
 * (`env-openai`, `env-deepseek`, …) so conversations can keep pointing at them across restarts.
 * Unknown preset names in `providers.presetApiKeys` stop the start rather than being ignored.
 */
export function buildEnvironmentProviders(providers: Config['providers'], startedAt: string): EnvironmentProvider[] {
  const unknown = Object.keys(providers.presetApiKeys).filter((name) => findPreset(name)?.name !== name);
  if (unknown.length > 0) {
    throw new Error(
      `providers.presetApiKeys: unknown preset ${unknown.join(', ')}; known: ${providerPresets.map((preset) => preset.name).join(', ')}`,
    );
  }
  return sourcesOf(providers).map((source) => {
    const info = describeProviderType(source.type)!;
    return {
      apiKey: source.apiKey,
      record: {
        id: `${environmentProviderIdPrefix}${source.idName ?? source.type}`,
        userId: null,
        name: info.displayName,
        providerType: info.type,
        baseUrl: (source.baseUrl ?? info.defaultBaseUrl ?? null)?.replace(/\/+$/, '') ?? null,
        apiKeyCipher: null,
        apiKeyHint: source.apiKey ? maskSecret(source.apiKey) : null,
        defaultModel: info.knownModels[0]?.id ?? null,
        models: info.knownModels.map((model) => model.id),
        maxTokens: null,
        contextWindow: null,
        isDefault: false,
        enabled: true,
        fallbackProviderId: null,
        fallbackModel: null,
        settings: source.settings ?? {},
        createdAt: startedAt,
        updatedAt: startedAt,
      },
    };
  });
}
