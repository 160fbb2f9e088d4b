import type { FastifyInstance } from 'fastify';
import type { AppDependencies } from '../dependencies.ts';
import { registerAdminUserRoutes } from './admin-users/admin-user-routes.ts';
import { registerAgentRoutes } from './agents/agent-routes.ts';
import { registerApiKeyRoutes } from './api-keys/api-key-routes.ts';
import { registerAttachmentRoutes } from './attachments/attachment-routes.ts';
import { registerAuthRoutes } from './auth/auth-routes.ts';
import { registerChatSessionRoutes } from './chat-sessions/chat-session-routes.ts';
import { registerConversationRoutes } from './conversations/conversation-routes.ts';
import { registerHealthRoutes } from './health/health-routes.ts';
import { createAgentChatHandler } from './llmchat/agent-chat-handler.ts';
import { registerLlmChatHistoryRoutes } from './llmchat/llmchat-history-routes.ts';
import { registerLlmChatTurnRoutes } from './llmchat/llmchat-turn-routes.ts';
import { registerMcpServerRoutes } from './mcp/mcp-server-routes.ts';
import { registerMcpToolRoutes } from './mcp/mcp-tool-routes.ts';
import { registerMessageRoutes } from './messages/message-routes.ts';
import { registerMessageSendRoutes } from './messages/message-send-routes.ts';
import { registerOpenAiRoutes } from './openai/openai-routes.ts';
import { registerAnthropicRoutes } from './anthropic/anthropic-routes.ts';
import { registerWsChatRoutes } from './ws-chat/ws-chat-routes.ts';
import { registerPluginRoutes } from './plugins/plugin-routes.ts';
import { registerProviderRoutes } from './providers/provider-routes.ts';
import { registerSessionRoutes } from './sessions/session-routes.ts';
import { registerStaticSite } from './static-site/static-site.ts';
import { registerSearchRoutes } from './tools/search-routes.ts';
import { registerToolRoutes } from './tools/tool-routes.ts';
import { registerWebapiModelRoutes } from './webapi-models/webapi-model-routes.ts';
import { registerMessageOperationRoutes } from './message-tree/message-operation-routes.ts';
import { registerMessageTreeRoutes } from './message-tree/message-tree-routes.ts';
import { registerConversationSearchRoutes } from './search/search-routes.ts';
import { registerSessionGroupRoutes } from './session-groups/session-group-routes.ts';
import { registerThreadRoutes } from './threads/thread-routes.ts';
import { registerTopicRoutes } from './topics/topic-routes.ts';

/** Every route module, registered inside the authenticated context. */
export async function registerRoutes(app: FastifyInstance, dependencies: AppDependencies): Promise<void> {
  registerHealthRoutes(app, dependencies);
  registerAuthRoutes(app, dependencies);
  registerConversationRoutes(app, dependencies);
  registerMessageRoutes(app, dependencies);
  registerMessageSendRoutes(app, dependencies);
  registerSessionRoutes(app, dependencies);
  registerChatSessionRoutes(app, dependencies);
  registerApiKeyRoutes(app, dependencies);
  registerAdminUserRoutes(app, dependencies);
  registerProviderRoutes(app, dependencies.providers);
  registerWebapiModelRoutes(app, dependencies.providers);
  registerAgentRoutes(app, dependencies.agents.service);
  registerLlmChatTurnRoutes(app, dependencies.services.chat);
  registerToolRoutes(app, dependencies.tools);
  registerSearchRoutes(app, dependencies.tools);
  // Bodies with `agentId` on POST /api/chat/completions are LLMChat's agent chat (API.md).
  registerOpenAiRoutes(
    app,
    dependencies,
    createAgentChatHandler({ agentChat: dependencies.agents.chat, chat: dependencies.services.chat, files: dependencies.services.files }),
  );
  // LLMChat's web app: init, chat list and history by its chatId, retry, feedback.
  registerLlmChatHistoryRoutes(app, {
    agents: dependencies.agents.service, agentChat: dependencies.agents.chat, history: dependencies.agents.chatHistory,
    chat: dependencies.services.chat, files: dependencies.services.files, newId: dependencies.newId,
  });
  registerAnthropicRoutes(app, dependencies);
  registerWsChatRoutes(app, dependencies);
  registerMcpServerRoutes(app, dependencies.mcp);
  registerMcpToolRoutes(app, dependencies.mcp);
  registerPluginRoutes(app, dependencies.plugins);
  // LobeChat's app model: session groups, topics, search, threads, the message tree.
  registerSessionGroupRoutes(app, dependencies.appModel.sessionGroups);
  registerTopicRoutes(app, dependencies.appModel.topics);
  registerConversationSearchRoutes(app, dependencies.appModel.search);
  registerThreadRoutes(app, dependencies.appModel.threads);
  registerMessageTreeRoutes(app, dependencies.appModel.messageTree, dependencies.services.chat);
  registerMessageOperationRoutes(app, dependencies.appModel.messageOperations);
  // LLMChat's attachments and the file store's routes (metadata, bytes, delete).
  registerAttachmentRoutes(app, dependencies.services.files, { serverBodyLimit: dependencies.config.server.bodyLimit });
  // A built web app (LLMChat's) at `/`, when web.root is set: the catch-all that every API route beats.
  await registerStaticSite(app, dependencies.config.web);
}
