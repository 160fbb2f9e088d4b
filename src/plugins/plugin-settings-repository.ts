import type { Kysely } from 'kysely';
import { parseJson } from '../storage/errors.ts';
import type { DatabaseSchema } from '../storage/schema.ts';

/** A user's settings for one plugin; the values stay sealed, only the hints are readable. */
export interface StoredPluginSettings {
  userId: string;
  identifier: string;
  settingsCipher: string;
  /** Setting name → masked value, for display. */
  settingHints: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** Every query names the owner: a user only ever reads and writes their own settings. */
export function createPluginSettingsRepository(db: Kysely<DatabaseSchema>) {
  const toStored = (row: { userId: string; identifier: string; settingsCipher: string; settingHints: string; createdAt: string; updatedAt: string }) =>
    ({ ...row, settingHints: parseJson<Record<string, unknown>>(row.settingHints, {}) });
  return {
    async listForUser(userId: string): Promise<StoredPluginSettings[]> {
      const rows = await db.selectFrom('pluginSettings').selectAll().where('userId', '=', userId).orderBy('identifier').execute();
      return rows.map(toStored);
    },
    async findForUser(userId: string, identifier: string): Promise<StoredPluginSettings | undefined> {
      const row = await db.selectFrom('pluginSettings').selectAll().where('userId', '=', userId).where('identifier', '=', identifier).executeTakeFirst();
      return row ? toStored(row) : undefined;
    },
    async upsert(settings: StoredPluginSettings): Promise<void> {
      const values = { ...settings, settingHints: JSON.stringify(settings.settingHints) };
      await db
        .insertInto('pluginSettings')
        .values(values)
        .onConflict((conflict) =>
          conflict.columns(['userId', 'identifier']).doUpdateSet({
            settingsCipher: values.settingsCipher, settingHints: values.settingHints, updatedAt: values.updatedAt,
          }),
        )
        .execute();
    },
    async delete(userId: string, identifier: string): Promise<boolean> {
      const result = await db.deleteFrom('pluginSettings').where('userId', '=', userId).where('identifier', '=', identifier).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type PluginSettingsRepository = ReturnType<typeof createPluginSettingsRepository>;
