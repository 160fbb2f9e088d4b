import type { ExpressionBuilder, Kysely, Selectable, Updateable } from 'kysely';
import { AppError, notFound } from '../../errors/app-error.ts';
import { jsonColumnsOf, jsonObjectColumn } from '../json-columns.ts';
import type { ConversationsTable, DatabaseSchema } from '../schema.ts';
import { fromFlag, toFlag } from '../sql-flags.ts';

type ConversationRow = Selectable<ConversationsTable>;

/** The columns a conversation shows as they are; the LobeChat columns have their own repositories. */
type PlainColumns = 'id' | 'userId' | 'projectId' | 'agentId' | 'title' | 'model' | 'providerId' | 'systemPrompt' | 'temperature' | 'maxTokens' | 'createdAt' | 'updatedAt';

export interface Conversation extends Pick<ConversationRow, PlainColumns> {
  thinkingEnabled: boolean;
  isActive: boolean;
  metadata: Record<string, unknown>;
  messageCount: number;
}

/** The settings a client may choose; every one is optional when creating. */
export type ConversationFields = Partial<Omit<Conversation, 'id' | 'userId' | 'messageCount' | 'createdAt' | 'updatedAt'>>;

export interface NewConversation extends ConversationFields {
  id: string;
  title: string;
  now: string;
}

export interface ConversationListOptions {
  offset: number;
  limit: number;
  projectId?: string;
  activeOnly?: boolean;
}

function toConversation(row: ConversationRow & { messageCount: string | number | bigint | null }): Conversation {
  const json = jsonColumnsOf('conversations', row.id);
  return {
    id: row.id,
    userId: row.userId,
    projectId: row.projectId,
    agentId: row.agentId,
    title: row.title,
    model: row.model,
    providerId: row.providerId,
    systemPrompt: row.systemPrompt,
    temperature: row.temperature,
    maxTokens: row.maxTokens,
    thinkingEnabled: fromFlag(row.thinkingEnabled),
    isActive: fromFlag(row.isActive),
    metadata: json('metadata', jsonObjectColumn, row.metadata),
    // PostgreSQL answers count(*) as a bigint string.
    messageCount: Number(row.messageCount ?? 0),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Only the columns a patch names, so an absent field never overwrites a stored one. */
function columnsOf(fields: ConversationFields): Updateable<ConversationsTable> {
  const columns: Updateable<ConversationsTable> = {};
  if (fields.projectId !== undefined) columns.projectId = fields.projectId;
  if (fields.agentId !== undefined) columns.agentId = fields.agentId;
  if (fields.title !== undefined) columns.title = fields.title;
  if (fields.model !== undefined) columns.model = fields.model;
  if (fields.providerId !== undefined) columns.providerId = fields.providerId;
  if (fields.systemPrompt !== undefined) columns.systemPrompt = fields.systemPrompt;
  if (fields.temperature !== undefined) columns.temperature = fields.temperature;
  if (fields.maxTokens !== undefined) columns.maxTokens = fields.maxTokens;
  if (fields.thinkingEnabled !== undefined) columns.thinkingEnabled = toFlag(fields.thinkingEnabled);
  if (fields.isActive !== undefined) columns.isActive = toFlag(fields.isActive);
  if (fields.metadata !== undefined) columns.metadata = JSON.stringify(fields.metadata);
  return columns;
}

/** A correlated count; the (conversation_id, id) index makes it an index-only range scan. */
function messageCount(eb: ExpressionBuilder<DatabaseSchema, 'conversations'>) {
  return eb
    .selectFrom('messages')
    .select((inner) => inner.fn.countAll().as('count'))
    .whereRef('messages.conversationId', '=', 'conversations.id')
    .as('messageCount');
}

/** Conversations; every method takes the owner, so one user can never reach another's. */
export function createConversationsRepository(db: Kysely<DatabaseSchema>) {
  function selectOwned(userId: string) {
    return db
      .selectFrom('conversations')
      .selectAll('conversations')
      .select(messageCount)
      .where('conversations.userId', '=', userId);
  }

  async function findForUser(userId: string, id: string): Promise<Conversation | undefined> {
    const row = await selectOwned(userId).where('conversations.id', '=', id).executeTakeFirst();
    return row && toConversation(row);
  }

  /** Inserts unless the id is taken; never raises a unique violation, which would abort a PostgreSQL transaction. */
  async function insertIfAbsent(userId: string, conversation: NewConversation): Promise<boolean> {
    const result = await db
      .insertInto('conversations')
      .values({
        id: conversation.id,
        userId,
        projectId: null,
        agentId: null,
        model: null,
        providerId: null,
        systemPrompt: null,
        temperature: null,
        maxTokens: null,
        thinkingEnabled: 0,
        isActive: 1,
        metadata: '{}',
        ...columnsOf(conversation),
        title: conversation.title,
        createdAt: conversation.now,
        updatedAt: conversation.now,
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  return {
    findForUser,

    /**
     * Creates a conversation. A taken id is a CONFLICT only when the caller owns it; another
     * user's id answers NOT_FOUND, so a client-chosen id cannot probe which ids exist.
     */
    async create(userId: string, conversation: NewConversation): Promise<Conversation> {
      if (await insertIfAbsent(userId, conversation)) return (await findForUser(userId, conversation.id))!;
      if (await findForUser(userId, conversation.id)) throw new AppError('CONFLICT', 'conversation already exists');
      throw notFound('conversation');
    },

    /** The caller's conversation with this id, created first when the id is free. */
    async findOrCreate(userId: string, conversation: NewConversation): Promise<{ conversation: Conversation; created: boolean }> {
      const created = await insertIfAbsent(userId, conversation);
      const found = await findForUser(userId, conversation.id);
      if (!found) throw notFound('conversation');
      return { conversation: found, created };
    },

    async listForUser(userId: string, options: ConversationListOptions): Promise<{ items: Conversation[]; total: number }> {
      let items = selectOwned(userId);
      let count = db
        .selectFrom('conversations')
        .select((eb) => eb.fn.countAll().as('total'))
        .where('userId', '=', userId);
      if (options.projectId !== undefined) {
        items = items.where('conversations.projectId', '=', options.projectId);
        count = count.where('projectId', '=', options.projectId);
      }
      if (options.activeOnly) {
        items = items.where('conversations.isActive', '=', 1);
        count = count.where('isActive', '=', 1);
      }
      const [rows, counted] = await Promise.all([
        items
          .orderBy('conversations.updatedAt', 'desc')
          .orderBy('conversations.id', 'desc')
          .limit(options.limit)
          .offset(options.offset)
          .execute(),
        count.executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toConversation), total: Number(counted.total) };
    },

    async update(userId: string, id: string, fields: ConversationFields, now: string): Promise<Conversation | undefined> {
      await db
        .updateTable('conversations')
        .set({ ...columnsOf(fields), updatedAt: now })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .execute();
      return findForUser(userId, id);
    },

    /**
     * Marks the conversation changed. Inside a transaction on PostgreSQL this also locks the row,
     * which serialises concurrent writers of one conversation's messages. False when not owned.
     */
    async touch(userId: string, id: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('conversations')
        .set({ updatedAt: now })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Deletes the conversation; its messages go with it through the foreign key's cascade. */
    async delete(userId: string, id: string): Promise<boolean> {
      const result = await db
        .deleteFrom('conversations')
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

export type ConversationsRepository = ReturnType<typeof createConversationsRepository>;
