import type { Kysely } from 'kysely';
import type { Dialect } from '../storage/database.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import { createConversationsRepository } from '../storage/repositories/conversations-repository.ts';
import { createMessageEditsRepository } from '../storage/repositories/message-edits-repository.ts';
import { createMessageTreeRepository } from '../storage/repositories/message-tree-repository.ts';
import { createMessagesRepository } from '../storage/repositories/messages-repository.ts';
import { createSearchRepository } from '../storage/repositories/search-repository.ts';
import { createSessionGroupsRepository } from '../storage/repositories/session-groups-repository.ts';
import { createThreadsRepository } from '../storage/repositories/threads-repository.ts';
import { createTopicsRepository } from '../storage/repositories/topics-repository.ts';

/** Every repository the app model uses, bound to one database handle or transaction. */
export function appModelRepositories(db: Kysely<DatabaseSchema>, dialect: Dialect) {
  return {
    conversations: createConversationsRepository(db),
    messages: createMessagesRepository(db),
    tree: createMessageTreeRepository(db),
    messageEdits: createMessageEditsRepository(db),
    groups: createSessionGroupsRepository(db),
    topics: createTopicsRepository(db),
    threads: createThreadsRepository(db),
    search: createSearchRepository(db, dialect),
  };
}

export type AppModelRepositories = ReturnType<typeof appModelRepositories>;

/** Runs work atomically; repositories never open transactions themselves (Kysely cannot nest them). */
export type AppModelTransaction = <T>(work: (repositories: AppModelRepositories) => Promise<T>) => Promise<T>;

export function appModelTransaction(db: Kysely<DatabaseSchema>, dialect: Dialect): AppModelTransaction {
  return (work) => db.transaction().execute((transaction) => work(appModelRepositories(transaction, dialect)));
}
