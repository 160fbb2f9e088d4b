import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Conversation ids chosen by a client (LLMChat's web app names its chats `session_<ms>`). The key
 * is the pair (user, client id), so two users with the same client id get two conversations and
 * nobody can claim, or reach, another user's chat by guessing its id. Rows go with their
 * conversation (cascade).
 */
export function clientChatIdsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('conversation_client_ids')
        .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
        .addColumn('client_id', 'text', (column) => column.notNull())
        .addColumn('conversation_id', 'text', (column) => column.notNull().unique().references('conversations.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('conversation_client_ids_pk', ['user_id', 'client_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('conversation_client_ids').execute();
    },
  };
}
