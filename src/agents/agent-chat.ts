import type { LanguageModelV3Message, SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { Principal } from '../auth/principal.ts';
import type { ChatService, StartedTurn, TurnRequest } from '../chat/chat-service.ts';
import { defaultConversationTitle } from '../conversations/conversation-service.ts';
import { notFound, validationError } from '../errors/app-error.ts';
import type { ProviderModule } from '../providers/provider-module.ts';
import { describeProviderType } from '../providers/provider-types.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { ConversationsRepository } from '../storage/repositories/conversations-repository.ts';
import type { Agent } from './agent-definition.ts';
import { providerForAgent } from './agent-provider.ts';
import type { AgentService } from './agent-service.ts';

export interface AgentChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface AgentChatRequest {
  principal: Principal;
  agentId: string;
  messages: AgentChatMessage[];
  /** Continues this conversation of the caller's; absent starts a new one. */
  sessionId?: string;
  /** Per-call overrides of the agent's settings. */
  overrides?: { temperature?: number; maxTokens?: number };
  /** FastGPT variables and Dify inputs, over the agent's own. */
  variables?: Record<string, unknown>;
  idempotencyKey?: string;
  surface: string;
}

export interface AgentTurn extends StartedTurn {
  agent: Agent;
}

const defined = <T extends Record<string, unknown>>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;

function platformOptions(providerType: string, agent: Agent, variables: Record<string, unknown>): SharedV3ProviderOptions | undefined {
  const hasVariables = Object.keys(variables).length > 0;
  const wire = describeProviderType(providerType)?.wireFormat;
  const json = JSON.parse(JSON.stringify(variables)) as Record<string, never>;
  if (wire === 'fastgpt' && hasVariables) return { fastgpt: { variables: json } };
  if (wire === 'dify') return { dify: { inputs: json, ...(agent.config.responseMode ? { responseMode: agent.config.responseMode } : {}) } };
  return undefined;
}

/**
 * Chat with an agent on the durable chat engine: the conversation records the agent and uses its
 * provider, model, system prompt and tools; a call's `config` overrides temperature and max tokens.
 */
export function createAgentChat(dependencies: {
  agents: AgentService;
  providers: ProviderModule;
  conversations: ConversationsRepository;
  chat: ChatService;
  newId: IdGenerator;
  clock: () => Date;
}) {
  const { agents, providers, conversations, chat, newId, clock } = dependencies;

  return {
    async start(request: AgentChatRequest): Promise<AgentTurn> {
      const { principal } = request;
      const userId = principal.user.id;
      const agent = await agents.findVisible(principal, request.agentId);
      if (agent.status !== 'active') throw validationError(`agent "${agent.name}" is inactive`);
      const last = request.messages.at(-1);
      if (!last || last.role !== 'user' || last.content.trim() === '') {
        throw validationError('messages must end with a user message that has content');
      }
      const provider = await providerForAgent(providers, userId, agent);
      const model = agent.config.model ?? null;

      let conversationId: string;
      let earlier: LanguageModelV3Message[] | undefined;
      if (request.sessionId) {
        const found = await conversations.findForUser(userId, request.sessionId);
        if (!found) throw notFound('session');
        conversationId = found.id;
      } else {
        const created = await conversations.create(userId, {
          id: newId(), title: defaultConversationTitle, agentId: agent.id, providerId: provider.record.id, model,
          systemPrompt: agent.config.systemPrompt ?? null, temperature: agent.config.temperature ?? null,
          maxTokens: agent.config.maxTokens ?? null, now: clock().toISOString(),
        });
        conversationId = created.id;
        // A client that starts with a history sends it whole; it becomes the prompt's start (not stored).
        const history = request.messages.slice(0, -1).filter((message) => message.role !== 'system');
        if (history.length > 0) {
          earlier = history.map((message): LanguageModelV3Message =>
            message.role === 'user'
              ? { role: 'user', content: [{ type: 'text', text: message.content }] }
              : { role: 'assistant', content: [{ type: 'text', text: message.content }] },
          );
        }
      }

      const turn: TurnRequest = {
        userId,
        apiKeyId: principal.apiKeyId ?? null,
        permissionLevel: principal.permissionLevel,
        conversationId,
        content: last.content,
        enabledTools: agent.tools,
        providerId: provider.record.id,
        model,
        surface: request.surface,
        ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
        ...(agent.config.systemPrompt !== undefined ? { systemPrompt: agent.config.systemPrompt } : {}),
        callSettings: defined({
          temperature: request.overrides?.temperature ?? agent.config.temperature,
          topP: agent.config.topP,
          maxOutputTokens: request.overrides?.maxTokens ?? agent.config.maxTokens,
        }),
        assistantMetadata: { agentId: agent.id },
        ...(earlier ? { newMessages: [...earlier, { role: 'user', content: [{ type: 'text', text: last.content }] }] } : {}),
      };
      const options = platformOptions(provider.record.providerType, agent, { ...agent.config.variables, ...request.variables });
      if (options) turn.providerOptions = options;
      return { ...(await chat.start(turn)), agent };
    },
  };
}

export type AgentChat = ReturnType<typeof createAgentChat>;
