import type { Kysely, Selectable } from 'kysely';
import { jsonColumnsOf, jsonObjectColumn } from '../storage/json-columns.ts';
import type { DatabaseSchema, PluginSettingsTable } from '../storage/schema.ts';

/** A user's settings for one plugin; the values stay sealed (`settingsCipher`), only the hints are readable. */
export interface StoredPluginSettings extends Omit<Selectable<PluginSettingsTable>, 'settingHints'> {
  /** Setting name → masked value, for display. */
  settingHints: Record<string, unknown>;
}

/** The table's key is (user, identifier); errors name the row by both. */
const toStored = (row: Selectable<PluginSettingsTable>): StoredPluginSettings => ({
  ...row,
  settingHints: jsonColumnsOf('pluginSettings', `user_id=${row.userId}, identifier=${row.identifier}`)('settingHints', jsonObjectColumn, row.settingHints),
});

/** Every query names the owner: a user only ever reads and writes their own settings. */
export function createPluginSettingsRepository(db: Kysely<DatabaseSchema>) {
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
