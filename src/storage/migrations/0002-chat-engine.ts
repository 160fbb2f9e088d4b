import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';

/** LLM providers, the usage ledger, and idempotency records for chat turns. */
export function chatEngineMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('providers')
        .addColumn('id', 'text', (column) => column.primaryKey())
        // NULL for system providers (admin-made); every user's own providers carry their id.
        .addColumn('user_id', 'text', (column) => column.references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('provider_type', 'text', (column) => column.notNull())
        .addColumn('base_url', 'text')
        // AES-256-GCM envelope `v1.<keyId>.<iv>.<tag>.<ciphertext>`; never returned.
        .addColumn('api_key_cipher', 'text')
        .addColumn('api_key_hint', 'text')
        .addColumn('default_model', 'text')
        .addColumn('models', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('max_tokens', 'integer')
        .addColumn('context_window', 'integer')
        .addColumn('is_default', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('fallback_provider_id', 'text')
        .addColumn('fallback_model', 'text')
        .addColumn('settings', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('providers_user').on('providers').column('user_id').execute();

      await db.schema
        .createTable('usage_records')
        .addColumn('id', 'text', (column) => column.primaryKey())
        // No foreign keys: the ledger outlives the users, keys and conversations it names.
        .addColumn('user_id', 'text')
        .addColumn('api_key_id', 'text')
        .addColumn('provider_id', 'text')
        .addColumn('provider_type', 'text')
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('surface', 'text', (column) => column.notNull())
        .addColumn('conversation_id', 'text')
        .addColumn('message_id', 'text')
        .addColumn('prompt_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('completion_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('reasoning_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('cached_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('total_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('usage_estimated', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('latency_ms', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('time_to_first_token_ms', 'integer')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('error_code', 'text')
        .addColumn('attempt', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('usage_records_user_created')
        .on('usage_records')
        .columns(['user_id', 'created_at'])
        .execute();
      await db.schema.createIndex('usage_records_created').on('usage_records').column('created_at').execute();

      await db.schema
        .createTable('turn_requests')
        .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
        .addColumn('idempotency_key', 'text', (column) => column.notNull())
        .addColumn('request_hash', 'text', (column) => column.notNull())
        .addColumn('conversation_id', 'text', (column) => column.notNull())
        .addColumn('user_message_id', 'text', (column) => column.notNull())
        .addColumn('assistant_message_id', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('turn_requests_pk', ['user_id', 'idempotency_key'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['turn_requests', 'usage_records', 'providers']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
