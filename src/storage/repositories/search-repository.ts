import { sql, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../database.ts';
import type { ConversationsTable, DatabaseSchema, MessagesTable } from '../schema.ts';

export interface MessageHit extends Pick<Selectable<MessagesTable>, 'id' | 'conversationId' | 'content' | 'createdAt'> {
  conversationTitle: string;
  /** Text, since the search reads it from raw SQL on both dialects. */
  role: string;
}

export type ConversationHit = Pick<Selectable<ConversationsTable>, 'id' | 'title' | 'agentId' | 'updatedAt'>;

export interface SearchWindow {
  /** Words to find, all of them, in any order; never parsed as query syntax. */
  terms: string[];
  offset: number;
  limit: number;
}

/**
 * FTS5 query text that matches every term literally: each term becomes a quoted string (quotes
 * doubled), so operators, column filters and stray quotes in user input are never syntax.
 */
export function fts5Query(terms: string[]): string {
  return terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' ');
}

/**
 * Full-text search over the caller's messages and conversation titles: FTS5 tables on SQLite,
 * `to_tsvector('simple', …)` expression indexes on PostgreSQL (migration 0004). Every query
 * filters on the base row's owner, so results only ever hold the caller's rows.
 */
export function createSearchRepository(db: Kysely<DatabaseSchema>, dialect: Dialect) {
  const plain = (terms: string[]) => terms.join(' ');

  async function messages(userId: string, window: SearchWindow): Promise<{ items: MessageHit[]; total: number }> {
    if (dialect === 'postgres') {
      const query = sql`plainto_tsquery('simple', ${plain(window.terms)})`;
      const matches = sql`m.user_id = ${userId} and m.status <> 'generating' and to_tsvector('simple', m.content) @@ ${query}`;
      const [rows, counted] = await Promise.all([
        sql<MessageHit>`select m.id, m.conversation_id, c.title as conversation_title, m.role, m.content, m.created_at
          from messages m join conversations c on c.id = m.conversation_id where ${matches}
          order by ts_rank(to_tsvector('simple', m.content), ${query}) desc, m.id desc limit ${window.limit} offset ${window.offset}`.execute(db),
        sql<{ total: string }>`select count(*) as total from messages m where ${matches}`.execute(db),
      ]);
      return { items: rows.rows, total: Number(counted.rows[0]?.total ?? 0) };
    }
    const match = fts5Query(window.terms);
    const [rows, counted] = await Promise.all([
      sql<MessageHit>`select m.id, m.conversation_id, c.title as conversation_title, m.role, m.content, m.created_at
        from messages_fts f join messages m on m.rowid = f.rowid join conversations c on c.id = m.conversation_id
        where messages_fts match ${match} and m.user_id = ${userId}
        order by f.rank, m.id desc limit ${window.limit} offset ${window.offset}`.execute(db),
      sql<{ total: number }>`select count(*) as total from messages_fts f join messages m on m.rowid = f.rowid
        where messages_fts match ${match} and m.user_id = ${userId}`.execute(db),
    ]);
    return { items: rows.rows, total: Number(counted.rows[0]?.total ?? 0) };
  }

  async function conversations(userId: string, window: SearchWindow): Promise<{ items: ConversationHit[]; total: number }> {
    if (dialect === 'postgres') {
      const query = sql`plainto_tsquery('simple', ${plain(window.terms)})`;
      const matches = sql`c.user_id = ${userId} and to_tsvector('simple', c.title) @@ ${query}`;
      const [rows, counted] = await Promise.all([
        sql<ConversationHit>`select c.id, c.title, c.agent_id, c.updated_at from conversations c where ${matches}
          order by ts_rank(to_tsvector('simple', c.title), ${query}) desc, c.updated_at desc, c.id desc
          limit ${window.limit} offset ${window.offset}`.execute(db),
        sql<{ total: string }>`select count(*) as total from conversations c where ${matches}`.execute(db),
      ]);
      return { items: rows.rows, total: Number(counted.rows[0]?.total ?? 0) };
    }
    const match = fts5Query(window.terms);
    const [rows, counted] = await Promise.all([
      sql<ConversationHit>`select c.id, c.title, c.agent_id, c.updated_at
        from conversations_fts f join conversations c on c.rowid = f.rowid
        where conversations_fts match ${match} and c.user_id = ${userId}
        order by f.rank, c.updated_at desc, c.id desc limit ${window.limit} offset ${window.offset}`.execute(db),
      sql<{ total: number }>`select count(*) as total from conversations_fts f join conversations c on c.rowid = f.rowid
        where conversations_fts match ${match} and c.user_id = ${userId}`.execute(db),
    ]);
    return { items: rows.rows, total: Number(counted.rows[0]?.total ?? 0) };
  }

  return { messages, conversations };
}

export type SearchRepository = ReturnType<typeof createSearchRepository>;
