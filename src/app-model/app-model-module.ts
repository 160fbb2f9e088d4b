import type { ChatService } from '../chat/chat-service.ts';
import type { ModelResolver } from '../providers/resolved-model.ts';
import type { Database } from '../storage/database.ts';
import type { IdGenerator } from '../storage/ids.ts';
import { appModelRepositories, appModelTransaction } from './app-model-repositories.ts';
import { createMessageOperationsService } from './message-operations-service.ts';
import { createMessageTreeService } from './message-tree-service.ts';
import { createSearchService } from './search-service.ts';
import { createSessionGroupService } from './session-group-service.ts';
import { createThreadService } from './thread-service.ts';
import { createTopicService } from './topic-service.ts';

export interface AppModelModuleOptions {
  database: Database;
  chat: ChatService;
  models: ModelResolver;
  newId: IdGenerator;
  clock: () => Date;
}

/** LobeChat's app model over our conversations: groups, topics, search, threads, the message tree. */
export function createAppModelModule(options: AppModelModuleOptions) {
  const { database, chat, models, newId, clock } = options;
  const repositories = appModelRepositories(database.db, database.dialect);
  const transaction = appModelTransaction(database.db, database.dialect);
  const shared = { repositories, transaction, newId, clock };
  return {
    sessionGroups: createSessionGroupService(shared),
    topics: createTopicService(shared),
    search: createSearchService(repositories.search),
    threads: createThreadService(shared),
    messageTree: createMessageTreeService({ repositories, chat }),
    messageOperations: createMessageOperationsService({ repositories, transaction, models, clock }),
  };
}

export type AppModelModule = ReturnType<typeof createAppModelModule>;
