import type { Kysely, Selectable, Updateable } from 'kysely';
import type { DatabaseSchema, ProvidersTable } from '../schema.ts';
import { fromFlag, parseJson, toFlag } from '../errors.ts';

/** Per-type extras kept in the `settings` JSON column; never secrets. */
export interface ProviderSettings {
  /** The OpenAI-compatible preset the provider was made from (deepseek, groq, …). */
  preset?: string;
  /** Azure: the resource name (`<name>.openai.azure.com`), when no base URL is given. */
  resourceName?: string;
  /** Azure: the `api-version` query parameter. */
  apiVersion?: string;
  /** Azure: call `/deployments/{model}/…` URLs (older resources). */
  useDeploymentBasedUrls?: boolean;
  /** Anthropic: tokens set aside for visible reasoning when thinking is on. */
  thinkingBudgetTokens?: number;
  /** The agent this provider was made for (an agent carrying its own endpoint); it serves only that agent. */
  agentId?: string;
}

/** A provider row. `userId` is null for system providers, which every user can use. */
export interface StoredProvider {
  id: string;
  userId: string | null;
  name: string;
  providerType: string;
  baseUrl: string | null;
  /** The sealed API key (see providers/secret-box.ts); only the service opens it. */
  apiKeyCipher: string | null;
  apiKeyHint: string | null;
  defaultModel: string | null;
  models: string[];
  maxTokens: number | null;
  contextWindow: number | null;
  isDefault: boolean;
  enabled: boolean;
  fallbackProviderId: string | null;
  fallbackModel: string | null;
  settings: ProviderSettings;
  createdAt: string;
  updatedAt: string;
}

/** Who owns a provider: a user id, or null for the system (admin-made) providers. */
export type ProviderOwner = string | null;

export type ProviderPatch = Partial<Omit<StoredProvider, 'id' | 'userId' | 'createdAt' | 'updatedAt'>>;

function toProvider(row: Selectable<ProvidersTable>): StoredProvider {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    providerType: row.providerType,
    baseUrl: row.baseUrl,
    apiKeyCipher: row.apiKeyCipher,
    apiKeyHint: row.apiKeyHint,
    defaultModel: row.defaultModel,
    models: parseJson<string[]>(row.models, []).filter((model) => typeof model === 'string'),
    maxTokens: row.maxTokens,
    contextWindow: row.contextWindow,
    isDefault: fromFlag(row.isDefault),
    enabled: fromFlag(row.enabled),
    fallbackProviderId: row.fallbackProviderId,
    fallbackModel: row.fallbackModel,
    settings: parseJson<ProviderSettings>(row.settings, {}),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toRow(patch: ProviderPatch): Updateable<ProvidersTable> {
  const { models, settings, isDefault, enabled, ...rest } = patch;
  return {
    ...rest,
    ...(models === undefined ? {} : { models: JSON.stringify(models) }),
    ...(settings === undefined ? {} : { settings: JSON.stringify(settings) }),
    ...(isDefault === undefined ? {} : { isDefault: toFlag(isDefault) }),
    ...(enabled === undefined ? {} : { enabled: toFlag(enabled) }),
  };
}

/**
 * LLM providers. Every method names the owner: a user id for a user's own providers, null for
 * system ones; `…Visible` methods return a user's own providers plus the system ones.
 */
export function createProvidersRepository(db: Kysely<DatabaseSchema>) {
  const owned = (owner: ProviderOwner) => {
    const query = db.selectFrom('providers').selectAll();
    return owner === null ? query.where('userId', 'is', null) : query.where('userId', '=', owner);
  };
  const visible = (userId: string) =>
    db
      .selectFrom('providers')
      .selectAll()
      .where((where) => where.or([where('userId', '=', userId), where('userId', 'is', null)]));

  return {
    async create(provider: StoredProvider): Promise<StoredProvider> {
      const row: Selectable<ProvidersTable> = {
        ...provider,
        models: JSON.stringify(provider.models),
        settings: JSON.stringify(provider.settings),
        isDefault: toFlag(provider.isDefault),
        enabled: toFlag(provider.enabled),
      };
      await db.insertInto('providers').values(row).execute();
      return toProvider(row);
    },

    /** The user's own providers and the system ones, oldest first. */
    async listVisible(userId: string): Promise<StoredProvider[]> {
      return (await visible(userId).orderBy('id').execute()).map(toProvider);
    },

    async listOwned(owner: ProviderOwner): Promise<StoredProvider[]> {
      return (await owned(owner).orderBy('id').execute()).map(toProvider);
    },

    async findVisible(userId: string, id: string): Promise<StoredProvider | undefined> {
      const row = await visible(userId).where('id', '=', id).executeTakeFirst();
      return row && toProvider(row);
    },

    async findOwned(owner: ProviderOwner, id: string): Promise<StoredProvider | undefined> {
      const row = await owned(owner).where('id', '=', id).executeTakeFirst();
      return row && toProvider(row);
    },

    async update(owner: ProviderOwner, id: string, patch: ProviderPatch, now: string): Promise<StoredProvider | undefined> {
      let query = db.updateTable('providers').set({ ...toRow(patch), updatedAt: now }).where('id', '=', id);
      query = owner === null ? query.where('userId', 'is', null) : query.where('userId', '=', owner);
      await query.execute();
      return this.findOwned(owner, id);
    },

    /** Clears `is_default` on the owner's other providers, so each owner has at most one default. */
    async clearDefaults(owner: ProviderOwner, exceptId: string, now: string): Promise<void> {
      let query = db
        .updateTable('providers')
        .set({ isDefault: 0, updatedAt: now })
        .where('isDefault', '=', 1)
        .where('id', '!=', exceptId);
      query = owner === null ? query.where('userId', 'is', null) : query.where('userId', '=', owner);
      await query.execute();
    },

    async delete(owner: ProviderOwner, id: string): Promise<boolean> {
      let query = db.deleteFrom('providers').where('id', '=', id);
      query = owner === null ? query.where('userId', 'is', null) : query.where('userId', '=', owner);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

export type ProvidersRepository = ReturnType<typeof createProvidersRepository>;
