import type { LanguageModelV3Message, SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { Principal } from '../auth/principal.ts';
import type { ChatService, StartedTurn, TurnRequest } from '../chat/chat-service.ts';
import { conversationIdPattern, defaultConversationTitle } from '../conversations/conversation-service.ts';
import { validationError } from '../errors/app-error.ts';
import type { ProviderModule } from '../providers/provider-module.ts';
import { describeProviderType } from '../providers/provider-types.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { ClientChatIdsRepository } from '../storage/repositories/client-chat-ids-repository.ts';
import type { ConversationsRepository } from '../storage/repositories/conversations-repository.ts';
import type { MessageEditsRepository } from '../storage/repositories/message-edits-repository.ts';
import type { Message } from '../storage/repositories/messages-repository.ts';
import { storedRefs, userMessageWithFiles, type PromptFile } from './agent-chat-attachments.ts';
import type { Agent } from './agent-definition.ts';
import { providerForAgent } from './agent-provider.ts';
import type { AgentService } from './agent-service.ts';

export interface AgentChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

interface AgentTurnOptions {
  principal: Principal;
  agentId: string;
  /** Per-call overrides of the agent's settings. */
  overrides?: { temperature?: number; maxTokens?: number };
  /** FastGPT variables and Dify inputs, over the agent's own. */
  variables?: Record<string, unknown>;
  /** Files for the user message, already read for the caller (images and text). */
  files?: PromptFile[];
  /** The client's id for the answer (LLMChat's `responseChatItemId`); kept in the answer's metadata. */
  responseChatItemId?: string;
  idempotencyKey?: string;
  surface: string;
}

export interface AgentChatRequest extends AgentTurnOptions {
  messages: AgentChatMessage[];
  /**
   * The caller's chat: the id of one of their conversations, or a client-made id (LLMChat's
   * `chatId`/`sessionId`) naming a conversation created on first use. Absent starts a new one.
   */
  chatId?: string;
}

export interface AgentRegenerateRequest extends AgentTurnOptions {
  conversationId: string;
  /** The stored user message to answer again (see TurnRequest.regenerateMessageId). */
  userMessage: Message;
}

export interface AgentTurn extends StartedTurn {
  agent: Agent;
  /** The id the client knows the chat by: its own id when it gave one, else the conversation's. */
  chatId: string;
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

const textMessage = (message: AgentChatMessage): LanguageModelV3Message =>
  message.role === 'user'
    ? { role: 'user', content: [{ type: 'text', text: message.content }] }
    : { role: 'assistant', content: [{ type: 'text', text: message.content }] };

/**
 * Chat with an agent on the durable chat engine: the conversation records the agent and uses its
 * provider, model, system prompt and tools; a call's `config` overrides temperature and max tokens.
 */
export function createAgentChat(dependencies: {
  agents: AgentService;
  providers: ProviderModule;
  conversations: ConversationsRepository;
  chatIds: ClientChatIdsRepository;
  messageEdits: MessageEditsRepository;
  chat: ChatService;
  newId: IdGenerator;
  clock: () => Date;
}) {
  const { agents, providers, conversations, chatIds, messageEdits, chat, newId, clock } = dependencies;

  async function usableAgent(principal: Principal, agentId: string) {
    const agent = await agents.findVisible(principal, agentId);
    if (agent.status !== 'active') throw validationError(`agent "${agent.name}" is inactive`);
    const provider = await providerForAgent(providers, principal.user.id, agent);
    return { agent, provider };
  }

  type Usable = Awaited<ReturnType<typeof usableAgent>>;

  const newConversation = ({ agent, provider }: Usable) => ({
    id: newId(), title: defaultConversationTitle, agentId: agent.id, providerId: provider.record.id, model: agent.config.model ?? null,
    systemPrompt: agent.config.systemPrompt ?? null, temperature: agent.config.temperature ?? null,
    maxTokens: agent.config.maxTokens ?? null, now: clock().toISOString(),
  });

  /** The caller's conversation for `chatId`: theirs by that id, else the one their client id names (made on first use). */
  async function openChat(userId: string, chatId: string | undefined, usable: Usable): Promise<{ conversationId: string; chatId: string; created: boolean }> {
    if (chatId === undefined) {
      const created = await conversations.create(userId, newConversation(usable));
      return { conversationId: created.id, chatId: created.id, created: true };
    }
    if (!conversationIdPattern.test(chatId)) throw validationError('chatId must be 1-128 characters of letters, digits, _ . : and -');
    const own = await conversations.findForUser(userId, chatId);
    if (own) return { conversationId: own.id, chatId, created: false };
    const opened = await chatIds.findOrCreate(userId, chatId, newConversation(usable));
    return { ...opened, chatId };
  }

  async function startTurn(options: AgentTurnOptions, usable: Usable, turn: Pick<TurnRequest, 'conversationId' | 'content'> & Partial<TurnRequest>, chatId: string): Promise<AgentTurn> {
    const { principal } = options;
    const { agent, provider } = usable;
    const request: TurnRequest = {
      userId: principal.user.id,
      apiKeyId: principal.apiKeyId ?? null,
      permissionLevel: principal.permissionLevel,
      enabledTools: agent.tools,
      providerId: provider.record.id,
      agentId: agent.id,
      model: agent.config.model ?? null,
      surface: options.surface,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      ...(agent.config.systemPrompt !== undefined ? { systemPrompt: agent.config.systemPrompt } : {}),
      callSettings: defined({
        temperature: options.overrides?.temperature ?? agent.config.temperature,
        topP: agent.config.topP,
        maxOutputTokens: options.overrides?.maxTokens ?? agent.config.maxTokens,
      }),
      assistantMetadata: { agentId: agent.id, ...(options.responseChatItemId ? { responseChatItemId: options.responseChatItemId } : {}) },
      ...turn,
    };
    const platform = platformOptions(provider.record.providerType, agent, { ...agent.config.variables, ...options.variables });
    if (platform) request.providerOptions = platform;
    const started = await chat.start(request);
    const files = options.files ?? [];
    if (files.length > 0 && started.created) {
      // Kept on the question, so a retry reads the same files again.
      const message = started.userMessage;
      await messageEdits.update(principal.user.id, message.id, { metadata: { ...message.metadata, attachments: storedRefs(files) } }, clock().toISOString());
    }
    return { ...started, agent, chatId };
  }

  return {
    async start(request: AgentChatRequest): Promise<AgentTurn> {
      const userId = request.principal.user.id;
      const files = request.files ?? [];
      const last = request.messages.at(-1);
      if (!last || last.role !== 'user' || (last.content.trim() === '' && files.length === 0)) {
        throw validationError('messages must end with a user message that has content');
      }
      const usable = await usableAgent(request.principal, request.agentId);
      const chatRef = await openChat(userId, request.chatId, usable);

      // A client that starts a chat with a history sends it whole; it becomes the prompt's start (not stored).
      const earlier = chatRef.created ? request.messages.slice(0, -1).filter((message) => message.role !== 'system').map(textMessage) : [];
      const newMessages = files.length > 0 || earlier.length > 0 ? [...earlier, files.length > 0 ? userMessageWithFiles(last.content, files) : textMessage(last)] : undefined;
      return startTurn(request, usable, { conversationId: chatRef.conversationId, content: last.content, ...(newMessages ? { newMessages } : {}) }, chatRef.chatId);
    },

    /** Answers a stored user message again: a new sibling answer, the old one kept (message tree). */
    async regenerate(request: AgentRegenerateRequest, chatId: string): Promise<AgentTurn> {
      const usable = await usableAgent(request.principal, request.agentId);
      const files = request.files ?? [];
      const { userMessage } = request;
      return startTurn(
        { ...request, files: [] },
        usable,
        {
          conversationId: request.conversationId, content: userMessage.content, regenerateMessageId: userMessage.id,
          ...(files.length > 0 ? { newMessages: [userMessageWithFiles(userMessage.content, files)] } : {}),
        },
        chatId,
      );
    },
  };
}

export type AgentChat = ReturnType<typeof createAgentChat>;
