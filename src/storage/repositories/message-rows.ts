import type { Insertable, Selectable } from 'kysely';
import { jsonColumnsOf, jsonListColumn, jsonObjectColumn } from '../json-columns.ts';
import type { MessagesTable } from '../schema.ts';

/**
 * Messages as the repositories hand them out, and their rows. Kept apart from the repositories so
 * the messages and message-tree repositories both use them without importing each other.
 */
type MessageRow = Selectable<MessagesTable>;

export type MessageRole = MessageRow['role'];
export type MessageStatus = MessageRow['status'];

/** A row with its JSON columns decoded. */
export interface Message extends Omit<MessageRow, 'steps' | 'attachments' | 'usage' | 'metadata'> {
  steps: unknown[];
  attachments: unknown[];
  usage: Record<string, unknown> | null;
  metadata: Record<string, unknown>;
}

export interface NewMessage extends Pick<Message, 'id' | 'role' | 'content'>, Partial<Pick<Message, 'parentId' | 'steps' | 'attachments' | 'tokenCount' | 'usage' | 'status' | 'metadata' | 'model'>> {
  now: string;
}

/** What a running turn writes to its assistant message as it goes and when it ends. */
export interface MessageProgress extends Pick<Message, 'content' | 'steps' | 'status'>, Partial<Pick<Message, 'tokenCount' | 'usage' | 'error' | 'model'>> {
  now: string;
}

export interface MessageListOptions {
  /** At most this many; all of them when absent. */
  limit?: number;
  offset?: number;
  /** Only messages older than this one; ids are UUIDv7, so id order is creation order. */
  beforeId?: string;
  /** 'active' (default): only the active branch of the message tree; 'all': every message. */
  branch?: 'active' | 'all';
}

const usageColumn = jsonObjectColumn.nullable();

export function toMessage(row: MessageRow): Message {
  const json = jsonColumnsOf('messages', row.id);
  return {
    ...row,
    steps: json('steps', jsonListColumn, row.steps),
    attachments: json('attachments', jsonListColumn, row.attachments),
    usage: json('usage', usageColumn, row.usage),
    metadata: json('metadata', jsonObjectColumn, row.metadata),
  };
}

export function toMessageRow(userId: string, conversationId: string, message: NewMessage): Insertable<MessagesTable> & MessageRow {
  return {
    id: message.id,
    conversationId,
    userId,
    parentId: message.parentId ?? null,
    role: message.role,
    content: message.content,
    steps: JSON.stringify(message.steps ?? []),
    attachments: JSON.stringify(message.attachments ?? []),
    tokenCount: message.tokenCount ?? 0,
    usage: message.usage == null ? null : JSON.stringify(message.usage),
    status: message.status ?? 'complete',
    metadata: JSON.stringify(message.metadata ?? {}),
    model: message.model ?? null,
    error: null,
    createdAt: message.now,
    updatedAt: message.now,
  };
}
