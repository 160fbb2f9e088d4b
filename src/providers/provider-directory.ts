import { AppError } from '../errors/app-error.ts';
import type { ProvidersRepository, StoredProvider } from '../storage/repositories/providers-repository.ts';
import type { EnvironmentProvider } from './environment-providers.ts';
import type { ProviderConnection } from './provider-connection.ts';
import { describeProviderType } from './provider-types.ts';
import { SecretBoxError, type SecretBox } from './secret-box.ts';

/** Where a provider comes from: a user's own row, an admin-made system row, or the environment. */
export type ProviderOrigin = 'user' | 'system' | 'environment';

export interface ProviderEntry {
  record: StoredProvider;
  origin: ProviderOrigin;
}

export const isSystemEntry = (entry: ProviderEntry): boolean => entry.origin !== 'user';

export interface VisibilityOptions {
  /** Disabled system providers too (admins managing them). */
  includeDisabledSystem?: boolean;
  /** System providers made for one agent too (admins managing them). */
  includeAgentBound?: boolean;
  /** The agent whose own provider the caller may use, after the agent itself was found visible. */
  forAgentId?: string;
}

/**
 * A system provider made for one agent holds the operator's endpoint and key for that agent only:
 * other users reach it through the agent, never by naming its id.
 */
function isHiddenAgentProvider(entry: ProviderEntry, options: VisibilityOptions): boolean {
  const agentId = entry.record.settings.agentId;
  if (!agentId || entry.origin === 'user') return false;
  return !options.includeAgentBound && options.forAgentId !== agentId;
}

function defaultFirst(entries: ProviderEntry[]): ProviderEntry[] {
  return [...entries.filter((entry) => entry.record.isDefault), ...entries.filter((entry) => !entry.record.isDefault)];
}

/**
 * Which providers a user can see and use, and how to reach one. A user sees their own providers
 * and the system ones (environment first, then admin-made); disabled system providers only when
 * asked (admins managing them).
 */
export function createProviderDirectory(dependencies: {
  repository: ProvidersRepository;
  secretBox: SecretBox;
  environmentProviders: readonly EnvironmentProvider[];
}) {
  const { repository, secretBox, environmentProviders } = dependencies;
  const environmentById = new Map(environmentProviders.map((provider) => [provider.record.id, provider]));
  const environmentEntries: ProviderEntry[] = environmentProviders.map((provider) => ({ record: provider.record, origin: 'environment' }));

  const entryOf = (record: StoredProvider): ProviderEntry => ({ record, origin: record.userId === null ? 'system' : 'user' });

  /** Opens a stored key; a damaged or unknown-key value is a clear error, never a crash. */
  function keyOf(entry: ProviderEntry): string | undefined {
    if (entry.origin === 'environment') return environmentById.get(entry.record.id)?.apiKey;
    const { apiKeyCipher, id, name } = entry.record;
    if (!apiKeyCipher) return undefined;
    try {
      return secretBox.open(apiKeyCipher, id).plaintext;
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      throw new AppError(
        'INTERNAL_ERROR',
        `the stored API key of provider "${name}" cannot be decrypted (${error.message}); if COLLOQUY_ENCRYPTION_KEY changed, ` +
          'list the old key in COLLOQUY_PREVIOUS_ENCRYPTION_KEYS, or set the api_key again',
        { cause: error },
      );
    }
  }

  return {
    isEnvironmentProvider: (id: string): boolean => environmentById.has(id),

    environmentKeyHint: (id: string): string | null => environmentById.get(id)?.record.apiKeyHint ?? null,

    /** The user's own providers, then the system ones. */
    async visible(userId: string, options: VisibilityOptions = {}): Promise<ProviderEntry[]> {
      const rows = (await repository.listVisible(userId)).map(entryOf);
      const own = rows.filter((entry) => entry.origin === 'user');
      const system = [...environmentEntries, ...rows.filter((entry) => entry.origin === 'system')].filter(
        (entry) => (options.includeDisabledSystem || entry.record.enabled) && !isHiddenAgentProvider(entry, options),
      );
      return [...own, ...system];
    },

    async findVisible(userId: string, id: string, options: VisibilityOptions = {}): Promise<ProviderEntry | undefined> {
      const environment = environmentById.get(id);
      if (environment) return { record: environment.record, origin: 'environment' };
      const row = await repository.findVisible(userId, id);
      if (!row) return undefined;
      const entry = entryOf(row);
      if (isHiddenAgentProvider(entry, options)) return undefined;
      return entry.origin === 'system' && !row.enabled && !options.includeDisabledSystem ? undefined : entry;
    },

    /**
     * Enabled providers in the order a request without a provider tries them: the user's
     * default, the user's others, the system default, the other system providers. Providers
     * made for one agent are left out.
     */
    async usable(userId: string): Promise<ProviderEntry[]> {
      // A provider made for one agent is reached through that agent only, never picked for other requests.
      const entries = (await this.visible(userId)).filter((entry) => entry.record.enabled && !entry.record.settings.agentId);
      return [
        ...defaultFirst(entries.filter((entry) => entry.origin === 'user')),
        ...defaultFirst(entries.filter((entry) => entry.origin !== 'user')),
      ];
    },

    /** Everything an upstream call needs, the key opened; only this provider's own key. */
    connectionOf(entry: ProviderEntry): ProviderConnection {
      const { record } = entry;
      const info = describeProviderType(record.providerType);
      if (!info) throw new AppError('VALIDATION_ERROR', `provider "${record.name}" has an unknown provider_type ${record.providerType}`);
      return {
        id: record.id,
        name: record.name,
        type: record.providerType,
        wireFormat: info.wireFormat,
        isSystem: isSystemEntry(entry),
        baseUrl: record.baseUrl,
        apiKey: keyOf(entry),
        settings: record.settings,
      };
    },
  };
}

export type ProviderDirectory = ReturnType<typeof createProviderDirectory>;
