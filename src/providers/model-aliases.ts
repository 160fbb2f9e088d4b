import type { ModelAliasTarget } from '../config/model-settings.ts';
import { AppError } from '../errors/app-error.ts';
import { isSystemEntry, type ProviderEntry } from './provider-directory.ts';

export type { ModelAliasTarget } from '../config/model-settings.ts';

/** The operator's model aliases (`models.aliases`): requested model id → provider and model. */
export type ModelAliases = Readonly<Record<string, ModelAliasTarget>>;

/** Whether a provider answers to `name`: its id, or (case-insensitively) its name, type or preset. */
export function providerAnswersTo(entry: ProviderEntry, name: string): boolean {
  const wanted = name.toLowerCase();
  const { record } = entry;
  return (
    record.id === name || record.name.toLowerCase() === wanted || record.providerType === wanted || record.settings.preset === wanted
  );
}

/** Looks an alias up by own key only, so a model named `constructor` is never an alias by accident. */
export function aliasFor(aliases: ModelAliases, model: string): ModelAliasTarget | undefined {
  return Object.hasOwn(aliases, model) ? aliases[model] : undefined;
}

/**
 * The usable provider an alias points at. Aliases are the operator's, so the operator's (system)
 * providers are tried first: a user's own provider that happens to share the name does not
 * capture the alias unless no system provider answers to it.
 */
export function aliasProvider(usable: readonly ProviderEntry[], target: ModelAliasTarget): ProviderEntry | undefined {
  const ordered = [...usable.filter(isSystemEntry), ...usable.filter((entry) => !isSystemEntry(entry))];
  return ordered.find((entry) => entry.record.id === target.provider) ?? ordered.find((entry) => providerAnswersTo(entry, target.provider));
}

/** The error for an alias whose provider is not configured (or not enabled, or not visible to this user). */
export function unresolvedAliasError(alias: string, target: ModelAliasTarget): AppError {
  return new AppError(
    'VALIDATION_ERROR',
    `model "${alias}" is an alias of "${target.provider}/${target.model}", but no enabled provider "${target.provider}" is available; ` +
      'configure that provider or change the alias (models.aliases / COLLOQUY_MODEL_ALIASES)',
  );
}
