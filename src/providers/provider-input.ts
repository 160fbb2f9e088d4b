import { validationError } from '../errors/app-error.ts';
import type { ProviderPatch, ProviderSettings, StoredProvider } from '../storage/repositories/providers-repository.ts';
import { findPreset, providerPresets } from './provider-presets.ts';
import { acceptedProviderTypes, describeProviderType, type ProviderTypeInfo } from './provider-types.ts';

/** Settings a client may send; `null` removes one. */
export type ProviderSettingsInput = {
  [Name in Exclude<keyof ProviderSettings, 'preset'>]?: ProviderSettings[Name] | null;
};

/** A create or update request in domain terms; absent fields keep their value, null clears one. */
export interface ProviderInput {
  name?: string;
  providerType?: string;
  preset?: string | null;
  baseUrl?: string | null;
  /** A new key; null or empty removes it; a masked echo (`sk-…abcd`) keeps the stored one. */
  apiKey?: string | null;
  defaultModel?: string | null;
  models?: string[];
  maxTokens?: number | null;
  contextWindow?: number | null;
  isDefault?: boolean;
  enabled?: boolean;
  fallbackProviderId?: string | null;
  fallbackModel?: string | null;
  settings?: ProviderSettingsInput;
}

export type KeyChange = { kind: 'keep' } | { kind: 'clear' } | { kind: 'set'; key: string };

export interface NormalizedInput {
  patch: ProviderPatch;
  keyChange: KeyChange;
  typeInfo: ProviderTypeInfo;
}

const quote = (value: string): string => JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);

/** An absolute http(s) URL without credentials, query or fragment, without its trailing slash. */
export function validateBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw validationError(`base_url ${quote(value)} is not a valid URL; expected e.g. https://api.example.com/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw validationError(`base_url must be an http or https URL, not ${quote(url.protocol.replace(/:$/, ''))}`);
  }
  if (url.username || url.password) throw validationError('base_url must not contain credentials; send the key as api_key');
  if (url.search || url.hash) throw validationError('base_url must not contain a query string or fragment');
  return url.toString().replace(/\/+$/, '');
}

// Becomes part of a host name (`<resource>.openai.azure.com`), so it must not be able to change the host.
const azureResourceName = /^[a-z0-9][a-z0-9-]{0,62}$/i;
const azureApiVersion = /^[A-Za-z0-9._-]{1,40}$/;

function mergeSettings(existing: ProviderSettings, input: ProviderSettingsInput | undefined, preset: string | undefined): ProviderSettings {
  const merged: Record<string, unknown> = { ...existing };
  for (const [name, value] of Object.entries(input ?? {})) {
    if (value === null || value === undefined) delete merged[name];
    else merged[name] = value;
  }
  if (preset) merged.preset = preset;
  else delete merged.preset;
  const settings = merged as ProviderSettings;
  if (settings.resourceName !== undefined && !azureResourceName.test(settings.resourceName)) {
    throw validationError('settings.resource_name must be an Azure resource name (letters, digits and hyphens)');
  }
  if (settings.apiVersion !== undefined && !azureApiVersion.test(settings.apiVersion)) {
    throw validationError('settings.api_version must look like 2024-10-21 or preview');
  }
  return settings;
}

function keyChangeOf(apiKey: string | null | undefined): KeyChange {
  if (apiKey === undefined) return { kind: 'keep' };
  const trimmed = apiKey?.trim() ?? '';
  if (trimmed === '') return { kind: 'clear' };
  // Clients that PUT back the object they read send the masked key; that means "unchanged".
  if (trimmed.includes('…')) return { kind: 'keep' };
  return { kind: 'set', key: trimmed };
}

function typeInfoOf(input: ProviderInput, existing: StoredProvider | undefined): ProviderTypeInfo {
  const requested = input.providerType ?? existing?.providerType ?? input.preset ?? undefined;
  if (!requested) throw validationError(`provider_type is required; one of ${acceptedProviderTypes.join(', ')}`);
  const info = describeProviderType(requested);
  if (!info) {
    throw validationError(`provider_type ${quote(requested)} is not supported; use one of ${acceptedProviderTypes.join(', ')}`);
  }
  return info;
}

function presetOf(input: ProviderInput, info: ProviderTypeInfo, existing: StoredProvider | undefined, typeChanged: boolean) {
  if (input.preset === null) {
    if (info.preset) throw validationError(`provider_type ${info.type} is itself a preset; choose another provider_type to drop it`);
    return undefined;
  }
  if (input.preset !== undefined) {
    const preset = findPreset(input.preset);
    if (!preset) throw validationError(`preset ${quote(input.preset)} is not known; use one of ${providerPresets.map((known) => known.name).join(', ')}`);
    if (info.preset && info.preset.name !== preset.name) {
      throw validationError(`preset ${preset.name} contradicts provider_type ${info.type}`);
    }
    if (!info.preset && info.baseType !== 'openai' && info.baseType !== 'openai-compatible') {
      throw validationError(`preset ${preset.name} speaks the OpenAI format; use provider_type openai-compatible with it`);
    }
    return preset;
  }
  if (info.preset) return info.preset;
  return typeChanged ? undefined : findPreset(existing?.settings.preset ?? '');
}

/**
 * Checks and completes a create (no `existing`) or update request: a known type or preset, a
 * safe base URL (the preset's or type's default when none is given), Azure's resource or URL.
 */
export function normalizeProviderInput(input: ProviderInput, existing?: StoredProvider): NormalizedInput {
  const typeInfo = typeInfoOf(input, existing);
  const typeChanged = existing !== undefined && existing.providerType !== typeInfo.type;
  const preset = presetOf(input, typeInfo, existing, typeChanged);
  const presetChanged = existing !== undefined && (existing.settings.preset ?? undefined) !== preset?.name;
  const settings = mergeSettings(existing?.settings ?? {}, input.settings, preset?.name);

  const defaultUrl = preset?.baseUrl ?? typeInfo.defaultBaseUrl ?? null;
  let baseUrl: string | null;
  if (typeof input.baseUrl === 'string' && input.baseUrl.trim() !== '') baseUrl = validateBaseUrl(input.baseUrl);
  else if (input.baseUrl !== undefined || !existing) baseUrl = defaultUrl;
  else if (typeChanged || presetChanged) baseUrl = defaultUrl ?? existing.baseUrl;
  else baseUrl = existing.baseUrl;

  if (typeInfo.wireFormat === 'azure') {
    if (!baseUrl && !settings.resourceName) {
      throw validationError('provider_type azure needs base_url or settings.resource_name');
    }
  } else if (!baseUrl) {
    throw validationError(`base_url is required for provider_type ${typeInfo.type}`);
  }

  const patch: ProviderPatch = {
    providerType: typeInfo.type,
    baseUrl,
    settings,
    ...(input.name !== undefined || !existing ? { name: input.name?.trim() || preset?.displayName || typeInfo.displayName } : {}),
    ...(input.models !== undefined ? { models: [...new Set(input.models.map((model) => model.trim()).filter(Boolean))] } : {}),
    ...(input.defaultModel !== undefined ? { defaultModel: input.defaultModel?.trim() || null } : {}),
    ...(input.maxTokens !== undefined ? { maxTokens: input.maxTokens } : {}),
    ...(input.contextWindow !== undefined ? { contextWindow: input.contextWindow } : {}),
    ...(input.isDefault !== undefined ? { isDefault: input.isDefault } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.fallbackProviderId !== undefined ? { fallbackProviderId: input.fallbackProviderId } : {}),
    ...(input.fallbackModel !== undefined ? { fallbackModel: input.fallbackModel?.trim() || null } : {}),
  };
  if (!existing && patch.models === undefined) {
    // Known models fit only the vendor's own endpoint, not any server that speaks its format.
    const known = preset?.models ?? (baseUrl === typeInfo.defaultBaseUrl ? typeInfo.knownModels : []);
    patch.models = known.map((model) => model.id);
  }
  return { patch, keyChange: keyChangeOf(input.apiKey), typeInfo };
}
