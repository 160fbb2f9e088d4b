import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.ts';

/** Full-text search over message content and conversation titles, one way per dialect. */
async function createSearchIndexes(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    // Expression indexes: queries must spell the same expression (see message-search-repository).
    // 'simple' neither stems nor drops stop words, so every language is matched the same way.
    await sql`create index messages_content_search on messages using gin (to_tsvector('simple', content))`.execute(db);
    await sql`create index conversations_title_search on conversations using gin (to_tsvector('simple', title))`.execute(db);
    return;
  }
  // External-content FTS5 tables over the rows' rowids, kept in step by triggers. An answer still
  // being generated is not indexed: its content is rewritten at every flush.
  await sql`create virtual table messages_fts using fts5(content, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`insert into messages_fts(rowid, content) select rowid, content from messages where status <> 'generating'`.execute(db);
  await sql`create trigger messages_fts_insert after insert on messages when new.status <> 'generating' begin
    insert into messages_fts(rowid, content) values (new.rowid, new.content);
  end`.execute(db);
  await sql`create trigger messages_fts_delete after delete on messages when old.status <> 'generating' begin
    insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, old.content);
  end`.execute(db);
  await sql`create trigger messages_fts_update after update of content, status on messages begin
    insert into messages_fts(messages_fts, rowid, content) select 'delete', old.rowid, old.content where old.status <> 'generating';
    insert into messages_fts(rowid, content) select new.rowid, new.content where new.status <> 'generating';
  end`.execute(db);

  await sql`create virtual table conversations_fts using fts5(title, content='conversations', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`insert into conversations_fts(conversations_fts) values ('rebuild')`.execute(db);
  await sql`create trigger conversations_fts_insert after insert on conversations begin
    insert into conversations_fts(rowid, title) values (new.rowid, new.title);
  end`.execute(db);
  await sql`create trigger conversations_fts_delete after delete on conversations begin
    insert into conversations_fts(conversations_fts, rowid, title) values ('delete', old.rowid, old.title);
  end`.execute(db);
  await sql`create trigger conversations_fts_update after update of title on conversations begin
    insert into conversations_fts(conversations_fts, rowid, title) values ('delete', old.rowid, old.title);
    insert into conversations_fts(rowid, title) values (new.rowid, new.title);
  end`.execute(db);
}

/**
 * LobeChat's app model: session groups, favourite topics, threads, the message tree's active
 * branch, and full-text search (docs/decisions/0006-message-tree-and-app-model.md).
 */
export function appModelMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('session_groups')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('sort_index', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('session_groups_user').on('session_groups').columns(['user_id', 'sort_index']).execute();

      // Deleting a group ungroups its members through ON DELETE SET NULL.
      await db.schema
        .alterTable('conversations')
        .addColumn('session_group_id', 'text', (column) => column.references('session_groups.id').onDelete('set null'))
        .execute();
      await db.schema
        .alterTable('agents')
        .addColumn('session_group_id', 'text', (column) => column.references('session_groups.id').onDelete('set null'))
        .execute();
      await db.schema.alterTable('conversations').addColumn('favorite', 'integer', (column) => column.notNull().defaultTo(0)).execute();
      // The message that selects the active branch; its newest descendant is the active leaf.
      await db.schema.alterTable('conversations').addColumn('active_message_id', 'text').execute();

      // A thread is a conversation of its own, branched from a message of another conversation.
      await db.schema
        .createTable('threads')
        .addColumn('id', 'text', (column) => column.primaryKey().references('conversations.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
        .addColumn('source_conversation_id', 'text', (column) => column.notNull().references('conversations.id').onDelete('cascade'))
        .addColumn('source_message_id', 'text', (column) => column.notNull())
        .addColumn('parent_thread_id', 'text')
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull().defaultTo('active'))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('threads_source').on('threads').columns(['user_id', 'source_conversation_id']).execute();

      // Linear conversations written before the tree existed: each message without a parent
      // becomes the child of the message before it, so every conversation is one chain.
      await sql`update messages set parent_id = (
        select previous.id from messages previous
        where previous.conversation_id = messages.conversation_id and previous.id < messages.id
        order by previous.id desc limit 1
      ) where parent_id is null`.execute(db);
      await db.schema.createIndex('messages_parent').on('messages').column('parent_id').execute();

      await createSearchIndexes(db, dialect);
    },
    async down(db: Kysely<any>) {
      if (dialect === 'postgres') {
        await sql`drop index messages_content_search`.execute(db);
        await sql`drop index conversations_title_search`.execute(db);
      } else {
        for (const name of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update', 'conversations_fts_insert', 'conversations_fts_delete', 'conversations_fts_update']) {
          await sql`drop trigger ${sql.ref(name)}`.execute(db);
        }
        await sql`drop table messages_fts`.execute(db);
        await sql`drop table conversations_fts`.execute(db);
      }
      await db.schema.dropIndex('messages_parent').execute();
      await db.schema.dropTable('threads').execute();
      for (const column of ['active_message_id', 'favorite', 'session_group_id']) {
        await db.schema.alterTable('conversations').dropColumn(column).execute();
      }
      await db.schema.alterTable('agents').dropColumn('session_group_id').execute();
      await db.schema.dropTable('session_groups').execute();
    },
  };
}
