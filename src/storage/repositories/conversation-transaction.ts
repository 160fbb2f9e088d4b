import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../schema.ts';
import { createConversationsRepository, type ConversationsRepository } from './conversations-repository.ts';
import { createMessagesRepository, type MessagesRepository } from './messages-repository.ts';
import { createTurnRequestsRepository, type TurnRequestsRepository } from './turn-requests-repository.ts';

export interface ConversationRepositories {
  conversations: ConversationsRepository;
  messages: MessagesRepository;
  turnRequests: TurnRequestsRepository;
}

export type ConversationTransaction = <T>(work: (repositories: ConversationRepositories) => Promise<T>) => Promise<T>;

/**
 * Runs work atomically with both repositories bound to one transaction. Kysely cannot nest
 * transactions, so the repositories themselves never open one; callers that need atomicity
 * across several writes come through here.
 */
export function createConversationTransaction(db: Kysely<DatabaseSchema>): ConversationTransaction {
  return (work) =>
    db.transaction().execute((transaction) =>
      work({
        conversations: createConversationsRepository(transaction),
        messages: createMessagesRepository(transaction),
        turnRequests: createTurnRequestsRepository(transaction),
      }),
    );
}
