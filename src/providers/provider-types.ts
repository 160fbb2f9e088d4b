import { findPreset, providerPresets, type ProviderPreset } from './provider-presets.ts';

/**
 * The wire formats Colloquy speaks to upstreams. Luxx's `openai` type means "any
 * OpenAI-compatible chat-completions API", so `openai`, `openai-compatible` and every preset share
 * one adapter; Ollama chats through its OpenAI-compatible `/v1` but lists and pulls models
 * through its own API.
 */
export type WireFormat = 'openai-compatible' | 'anthropic' | 'google' | 'ollama' | 'azure' | 'fastgpt' | 'dify';

export const baseProviderTypes = ['openai', 'openai-compatible', 'anthropic', 'google', 'ollama', 'azure', 'fastgpt', 'dify'] as const;
export type BaseProviderType = (typeof baseProviderTypes)[number];

interface BaseTypeInfo {
  wireFormat: WireFormat;
  displayName: string;
  /** Where the type points when no base URL is given; absent means a base URL (or resource) is required. */
  defaultBaseUrl?: string;
  defaultModels: readonly { id: string; contextWindow: number }[];
}

const baseTypes: Record<BaseProviderType, BaseTypeInfo> = {
  openai: {
    wireFormat: 'openai-compatible',
    displayName: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    defaultModels: [
      { id: 'gpt-4o-mini', contextWindow: 128_000 },
      { id: 'gpt-4o', contextWindow: 128_000 },
      { id: 'gpt-4.1', contextWindow: 1_047_576 },
    ],
  },
  'openai-compatible': { wireFormat: 'openai-compatible', displayName: 'OpenAI-compatible', defaultModels: [] },
  anthropic: {
    wireFormat: 'anthropic',
    displayName: 'Anthropic',
    defaultBaseUrl: 'https://api.anthropic.com/v1',
    defaultModels: [
      { id: 'claude-sonnet-4-5', contextWindow: 200_000 },
      { id: 'claude-opus-4-1', contextWindow: 200_000 },
      { id: 'claude-3-5-haiku-latest', contextWindow: 200_000 },
    ],
  },
  google: {
    wireFormat: 'google',
    displayName: 'Google Gemini',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    defaultModels: [
      { id: 'gemini-2.5-flash', contextWindow: 1_048_576 },
      { id: 'gemini-2.5-pro', contextWindow: 1_048_576 },
    ],
  },
  ollama: { wireFormat: 'ollama', displayName: 'Ollama', defaultBaseUrl: 'http://localhost:11434', defaultModels: [] },
  azure: { wireFormat: 'azure', displayName: 'Azure OpenAI', defaultModels: [] },
  // Agent platforms: the app behind the key decides the model, so the model id is only a label.
  fastgpt: { wireFormat: 'fastgpt', displayName: 'FastGPT', defaultBaseUrl: 'https://api.fastgpt.in/api/v1', defaultModels: [{ id: 'fastgpt-app', contextWindow: 128_000 }] },
  dify: { wireFormat: 'dify', displayName: 'Dify', defaultBaseUrl: 'https://api.dify.ai/v1', defaultModels: [{ id: 'dify-app', contextWindow: 128_000 }] },
};

/** What a `provider_type` value means: its base type, wire format and preset, if any. */
export interface ProviderTypeInfo {
  /** The canonical value to store: a base type or a preset's name. */
  type: string;
  baseType: BaseProviderType;
  wireFormat: WireFormat;
  displayName: string;
  preset?: ProviderPreset;
  defaultBaseUrl?: string;
  knownModels: readonly { id: string; contextWindow: number }[];
}

function isBaseType(value: string): value is BaseProviderType {
  return (baseProviderTypes as readonly string[]).includes(value);
}

/** Reads a base type or preset name (or a preset alias); undefined for anything else. */
export function describeProviderType(value: string): ProviderTypeInfo | undefined {
  const wanted = value.trim().toLowerCase();
  if (isBaseType(wanted)) {
    const info = baseTypes[wanted];
    return {
      type: wanted,
      baseType: wanted,
      wireFormat: info.wireFormat,
      displayName: info.displayName,
      defaultBaseUrl: info.defaultBaseUrl,
      knownModels: info.defaultModels,
    };
  }
  const preset = findPreset(wanted);
  if (!preset) return undefined;
  return {
    type: preset.name,
    baseType: 'openai-compatible',
    wireFormat: 'openai-compatible',
    displayName: preset.displayName,
    preset,
    defaultBaseUrl: preset.baseUrl,
    knownModels: preset.models,
  };
}

/** Every accepted `provider_type`, for error messages and the OpenAPI description. */
export const acceptedProviderTypes: readonly string[] = [...baseProviderTypes, ...providerPresets.map((preset) => preset.name)];
