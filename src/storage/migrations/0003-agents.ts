import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Agents, the index that lists an agent's conversations (LobeChat's topics), and the ids that
 * stateful agent platforms (Dify) give our conversations.
 */
export function agentsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (column) => column.primaryKey())
        // NULL for system agents (admin-made or from the agents file); a user's agents carry their id.
        .addColumn('user_id', 'text', (column) => column.references('users.id').onDelete('cascade'))
        // 'admin' | 'file' | 'user': a reload of the agents file only ever touches 'file' rows.
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('description', 'text', (column) => column.notNull().defaultTo(''))
        .addColumn('category', 'text')
        // A Colloquy provider id or type (openai, dify, fastgpt, …).
        .addColumn('provider', 'text', (column) => column.notNull())
        .addColumn('avatar', 'text')
        .addColumn('status', 'text', (column) => column.notNull().defaultTo('active'))
        .addColumn('visibility', 'text', (column) => column.notNull().defaultTo('private'))
        .addColumn('capabilities', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('config', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('tools', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('knowledge_base_ids', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('agents_user').on('agents').columns(['user_id', 'created_at']).execute();

      // conversations.agent_id exists since 0001; listing an agent's conversations needs this index.
      await db.schema
        .createIndex('conversations_user_agent')
        .on('conversations')
        .columns(['user_id', 'agent_id'])
        .execute();

      await db.schema
        .createTable('platform_conversations')
        .addColumn('conversation_id', 'text', (column) =>
          column.notNull().references('conversations.id').onDelete('cascade'),
        )
        // The Colloquy provider whose platform issued the id (one conversation may switch agents).
        .addColumn('provider_id', 'text', (column) => column.notNull())
        .addColumn('external_id', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('platform_conversations_pk', ['conversation_id', 'provider_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('platform_conversations').execute();
      await db.schema.dropIndex('conversations_user_agent').execute();
      await db.schema.dropTable('agents').execute();
    },
  };
}
