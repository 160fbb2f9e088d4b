import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ChatService } from '../chat/chat-service.ts';
import type { DiagnosticLog } from '../diagnostics.ts';
import type { OutboundHttp } from '../providers/provider-connection.ts';
import type { ProviderModule } from '../providers/provider-module.ts';
import type { IdGenerator } from '../storage/ids.ts';
import { createAgentsRepository } from '../storage/repositories/agents-repository.ts';
import { createClientChatIdsRepository } from '../storage/repositories/client-chat-ids-repository.ts';
import { createMessageEditsRepository } from '../storage/repositories/message-edits-repository.ts';
import { createMessagesRepository } from '../storage/repositories/messages-repository.ts';
import type { ConversationsRepository } from '../storage/repositories/conversations-repository.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import { createAgentChat } from './agent-chat.ts';
import { createAgentChatHistory } from './agent-chat-history.ts';
import { createAgentService } from './agent-service.ts';

/**
 * Agents, built once by the composition root: `service` (CRUD, status, reload) and `chat`
 * (agent turns on the chat engine). The agents file, when configured, is read here at start; a
 * file that cannot be used is logged and the server starts with the agents stored earlier.
 */
export async function createAgentModule(dependencies: {
  db: Kysely<DatabaseSchema>;
  providers: ProviderModule;
  /** The guarded HTTP client, for asking remote apps what they are (POST /api/agents/fetch-info). */
  http: OutboundHttp;
  conversations: ConversationsRepository;
  chat: ChatService;
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
  log: DiagnosticLog;
  agentsFile: string | undefined;
}) {
  const { db, providers, http, conversations, chat, audit, newId, clock, log, agentsFile } = dependencies;
  const repository = createAgentsRepository(db);
  const service = createAgentService({ db, repository, providers, http, audit, newId, clock, agentsFile });
  if (agentsFile) {
    try {
      const report = await service.reload();
      log.info({ ...report, invalid: report.invalid.length }, 'agents file read');
      for (const entry of report.invalid) log.warn({ file: agentsFile, entry }, 'agents file entry skipped');
    } catch (error) {
      log.warn({ err: error, file: agentsFile }, 'agents file not loaded; keeping the stored agents');
    }
  }
  const chatIds = createClientChatIdsRepository(db);
  const messageEdits = createMessageEditsRepository(db);
  return {
    repository,
    service,
    chat: createAgentChat({ agents: service, providers, conversations, chatIds, messageEdits, chat, newId, clock }),
    // LLMChat's web app: its chats by client id, their history, feedback and retry targets.
    chatHistory: createAgentChatHistory({ conversations, chatIds, messages: createMessagesRepository(db), messageEdits, clock }),
  };
}

export type AgentModule = Awaited<ReturnType<typeof createAgentModule>>;
