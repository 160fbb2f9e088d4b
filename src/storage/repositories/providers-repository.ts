import type { Kysely, Selectable, Updateable } from 'kysely';
import { z } from 'zod';
import { jsonColumnsOf, stringListColumn } from '../json-columns.ts';
import type { DatabaseSchema, ProvidersTable } from '../schema.ts';
import { fromFlag, toFlag } from '../sql-flags.ts';

/**
 * Per-type extras kept in the `settings` JSON column; never secrets. Keys this version does not
 * know are kept (a newer version may have written them), known ones must have their type.
 */
const providerSettingsShape = z.object({
    /** The OpenAI-compatible preset the provider was made from (deepseek, groq, …). */
    preset: z.string().optional(),
    /** Azure: the resource name (`<name>.openai.azure.com`), when no base URL is given. */
    resourceName: z.string().optional(),
    /** Azure: the `api-version` query parameter. */
    apiVersion: z.string().optional(),
    /** Azure: call `/deployments/{model}/…` URLs (older resources). */
    useDeploymentBasedUrls: z.boolean().optional(),
    /** Anthropic: tokens set aside for visible reasoning when thinking is on. */
    thinkingBudgetTokens: z.number().optional(),
    /** The agent this provider was made for (an agent carrying its own endpoint); it serves only that agent. */
    agentId: z.string().optional(),
});

export type ProviderSettings = z.output<typeof providerSettingsShape>;

const providerSettingsColumn = providerSettingsShape.loose();

/**
 * A provider row with flags as booleans and JSON decoded. `userId` is null for system providers,
 * which every user can use; `apiKeyCipher` is the sealed key (see providers/secret-box.ts), which
 * only the service opens.
 */
export interface StoredProvider extends Omit<Selectable<ProvidersTable>, 'models' | 'isDefault' | 'enabled' | 'settings'> {
  models: string[];
  isDefault: boolean;
  enabled: boolean;
  settings: ProviderSettings;
}

/** Who owns a provider: a user id, or null for the system (admin-made) providers. */
export type ProviderOwner = string | null;

export type ProviderPatch = Partial<Omit<StoredProvider, 'id' | 'userId' | 'createdAt' | 'updatedAt'>>;

function toProvider(row: Selectable<ProvidersTable>): StoredProvider {
  const json = jsonColumnsOf('providers', row.id);
  return {
    ...row,
    models: json('models', stringListColumn, row.models),
    isDefault: fromFlag(row.isDefault),
    enabled: fromFlag(row.enabled),
    settings: json('settings', providerSettingsColumn, row.settings),
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
