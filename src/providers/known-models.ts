import { providerPresets } from './provider-presets.ts';
import { baseProviderTypes, describeProviderType } from './provider-types.ts';

/**
 * Context windows of well-known models, for providers that do not state one. Model ids change
 * often, so families match by prefix (the longest wins); a wrong guess here only shifts where
 * the chat engine trims history, and a provider's `context_window` always overrides it.
 */
const families: readonly [prefix: string, contextWindow: number][] = [
  ['gpt-3.5-turbo', 16_385],
  ['gpt-4-turbo', 128_000],
  ['gpt-4o', 128_000],
  ['gpt-4.1', 1_047_576],
  ['gpt-5', 400_000],
  ['gpt-oss', 131_072],
  ['o1', 200_000],
  ['o3', 200_000],
  ['o4', 200_000],
  ['claude-', 200_000],
  ['gemini-1.5-pro', 2_097_152],
  ['gemini-', 1_048_576],
  ['deepseek-', 131_072],
  ['llama-3', 131_072],
  ['llama3', 131_072],
  ['qwen', 32_768],
  ['glm-4', 128_000],
  ['mistral-large', 131_072],
  ['grok-', 131_072],
];

function exactTable(): Map<string, number> {
  const table = new Map<string, number>();
  for (const type of baseProviderTypes) {
    for (const model of describeProviderType(type)?.knownModels ?? []) table.set(model.id.toLowerCase(), model.contextWindow);
  }
  for (const preset of providerPresets) {
    for (const model of preset.models) table.set(model.id.toLowerCase(), model.contextWindow);
  }
  return table;
}

const exact: ReadonlyMap<string, number> = exactTable();

function lookup(modelId: string): number | undefined {
  const known = exact.get(modelId);
  if (known !== undefined) return known;
  let best: [string, number] | undefined;
  for (const family of families) {
    if (modelId.startsWith(family[0]) && (!best || family[0].length > best[0].length)) best = family;
  }
  return best?.[1];
}

/** The context window of a model id, or undefined when it is not known. */
export function knownContextWindow(modelId: string): number | undefined {
  const wanted = modelId.trim().toLowerCase();
  // Routers name models `vendor/model` (OpenRouter, Together, SiliconFlow); try the bare model too.
  return lookup(wanted) ?? (wanted.includes('/') ? lookup(wanted.slice(wanted.lastIndexOf('/') + 1)) : undefined);
}
