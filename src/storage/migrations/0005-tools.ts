import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';

/** Users' own remote MCP servers, and their LobeChat plugin settings. */
export function toolsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('mcp_servers')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('transport', 'text', (column) => column.notNull())
        .addColumn('url', 'text', (column) => column.notNull())
        .addColumn('description', 'text')
        // Sealed JSON object of header name → value (secret-box envelope); never returned.
        .addColumn('headers_cipher', 'text')
        // Header names and masked values, for showing without opening the cipher.
        .addColumn('header_hints', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addUniqueConstraint('mcp_servers_user_name', ['user_id', 'name'])
        .execute();

      await db.schema
        .createTable('plugin_settings')
        .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
        .addColumn('identifier', 'text', (column) => column.notNull())
        // Sealed JSON object of the plugin's settings (API keys and the like).
        .addColumn('settings_cipher', 'text', (column) => column.notNull())
        .addColumn('setting_hints', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('plugin_settings_pk', ['user_id', 'identifier'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['plugin_settings', 'mcp_servers']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
