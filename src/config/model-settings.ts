import { z } from 'zod';

/** Where a model alias points: a provider (its id, name, type or preset) and a model it serves. */
export interface ModelAliasTarget {
  provider: string;
  model: string;
}

const targetHint = 'must be "<provider>/<model>" (provider id, name, type or preset), e.g. "deepseek/deepseek-reasoner"';

function targetOf(value: unknown): ModelAliasTarget | undefined {
  if (typeof value === 'string') {
    const slash = value.indexOf('/');
    if (slash <= 0) return undefined;
    const target = { provider: value.slice(0, slash).trim(), model: value.slice(slash + 1).trim() };
    return target.provider && target.model ? target : undefined;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { provider, model } = value as Record<string, unknown>;
    if (typeof provider === 'string' && typeof model === 'string' && provider.trim() && model.trim()) {
      return { provider: provider.trim(), model: model.trim() };
    }
  }
  return undefined;
}

/**
 * Model aliases: a requested model id (what a client such as StellarChat sends, e.g.
 * `deepseek-ai/DeepSeek-R1`) mapped to a configured provider and model. From an environment
 * variable it arrives as JSON text; from the config file as an object. A target is
 * `"<provider>/<model>"` (split at the first `/`) or `{ "provider", "model" }`.
 */
const modelAliasesSetting = z.unknown().transform((value, context): Record<string, ModelAliasTarget> => {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON object like {"deepseek-ai/DeepSeek-R1": "deepseek/deepseek-reasoner"}' });
      return z.NEVER;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    context.addIssue({ code: 'custom', message: 'must be an object mapping a requested model id to "<provider>/<model>"' });
    return z.NEVER;
  }
  const aliases: Array<[string, ModelAliasTarget]> = [];
  for (const [alias, raw] of Object.entries(parsed)) {
    const name = alias.trim();
    if (name === '' || name.length > 200) {
      context.addIssue({ code: 'custom', path: [alias], message: 'an alias must be 1-200 characters' });
      continue;
    }
    const target = targetOf(raw);
    if (!target) context.addIssue({ code: 'custom', path: [alias], message: targetHint });
    else aliases.push([name, target]);
  }
  // fromEntries defines own properties, so an alias named like an Object.prototype member stays data.
  return Object.fromEntries(aliases);
});

/** Model settings (`models`). */
export const modelSettings = z
  .object({
    aliases: modelAliasesSetting.default({}),
  })
  .prefault({});
