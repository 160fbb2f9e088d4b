import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/** Accounts, credentials, conversations, messages and the audit log. */
export function foundationMigration(dialect: Dialect): Migration {
  const types = columnTypes(dialect);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('username', 'text', (column) => column.notNull())
        .addColumn('username_key', 'text', (column) => column.notNull().unique())
        .addColumn('email', 'text')
        .addColumn('email_key', 'text', (column) => column.unique())
        .addColumn('name', 'text')
        .addColumn('password_hash', 'text', (column) => column.notNull())
        .addColumn('role', 'text', (column) => column.notNull().defaultTo('user'))
        .addColumn('permission_level', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('workspace_path', 'text')
        .addColumn('is_active', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('is_guest', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('auth_sessions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('user_id', 'text', (column) =>
          column.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('last_used_at', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'text', (column) => column.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_reason', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('ip', 'text')
        .execute();
      await db.schema.createIndex('auth_sessions_user').on('auth_sessions').column('user_id').execute();

      await db.schema
        .createTable('refresh_tokens')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('session_id', 'text', (column) =>
          column.notNull().references('auth_sessions.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (column) =>
          column.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('token_hash', 'text', (column) => column.notNull().unique())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'text', (column) => column.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_session')
        .on('refresh_tokens')
        .column('session_id')
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('user_id', 'text', (column) =>
          column.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('key_hash', 'text', (column) => column.notNull().unique())
        .addColumn('key_prefix', 'text', (column) => column.notNull())
        .addColumn('key_last4', 'text', (column) => column.notNull())
        .addColumn('permission_level', 'integer')
        .addColumn('is_active', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();

      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('user_id', 'text', (column) =>
          column.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('project_id', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('title', 'text', (column) => column.notNull())
        .addColumn('model', 'text')
        .addColumn('provider_id', 'text')
        .addColumn('system_prompt', 'text')
        .addColumn('temperature', types.float)
        .addColumn('max_tokens', 'integer')
        .addColumn('thinking_enabled', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('is_active', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('metadata', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('conversations_user_updated')
        .on('conversations')
        .columns(['user_id', 'updated_at'])
        .execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('conversation_id', 'text', (column) =>
          column.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (column) =>
          column.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('parent_id', 'text')
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('content', 'text', (column) => column.notNull())
        .addColumn('steps', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('attachments', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('token_count', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('usage', 'text')
        .addColumn('status', 'text', (column) => column.notNull().defaultTo('complete'))
        .addColumn('metadata', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('model', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('messages_conversation')
        .on('messages')
        .columns(['conversation_id', 'id'])
        .execute();
      await db.schema.createIndex('messages_status').on('messages').column('status').execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('actor_api_key_id', 'text')
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('result', 'text', (column) => column.notNull())
        .addColumn('ip', 'text')
        .addColumn('request_id', 'text')
        .addColumn('details', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
      await db.schema
        .createIndex('audit_log_actor')
        .on('audit_log')
        .columns(['actor_user_id', 'at'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of [
        'audit_log',
        'messages',
        'conversations',
        'api_keys',
        'refresh_tokens',
        'auth_sessions',
        'users',
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
