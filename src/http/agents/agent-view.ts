import { z } from 'zod';
import type { Principal } from '../../auth/principal.ts';
import { agentConfigSchema } from '../../agents/agent-definition.ts';
import type { DetailedAgent } from '../../agents/agent-service.ts';

export const agentViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string().nullable(),
  provider: z.string(),
  /** The agent's model (also in `config`), as LLMChat's agent list shows it. */
  model: z.string().nullable(),
  /** `config.systemPrompt`, `config.temperature` and `config.maxTokens` again, where LLMChat's admin form reads them. */
  systemPrompt: z.string().nullable(),
  temperature: z.number().nullable(),
  maxTokens: z.number().int().nullable(),
  /** The provider made for this agent from its own endpoint and key (then `provider` is its type); null otherwise. */
  ownProviderId: z.string().nullable(),
  /** The agent's own endpoint (its API root), its app id and a masked hint of its key; shown to those who may change the agent. */
  endpoint: z.string().nullable(),
  appId: z.string().nullable(),
  apiKeyHint: z.string().nullable(),
  avatar: z.string().nullable(),
  status: z.enum(['active', 'inactive']),
  isActive: z.boolean(),
  capabilities: z.array(z.string()),
  config: agentConfigSchema,
  tools: z.array(z.string()),
  knowledgeBaseIds: z.array(z.string()),
  /** `system` agents are every user's; `user` agents belong to `ownerId`. */
  owner: z.enum(['system', 'user']),
  ownerId: z.string().nullable(),
  visibility: z.enum(['private', 'public']),
  /** Where a system agent comes from: made by an admin, or the agents file. */
  source: z.enum(['admin', 'file', 'user']),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Whether the caller may change the agent, and so see its endpoint settings. */
export const mayManage = (principal: Principal, agent: DetailedAgent): boolean => principal.isAdmin || agent.ownerId === principal.user.id;

export function agentView(agent: DetailedAgent, principal: Principal): z.infer<typeof agentViewSchema> {
  const own = agent.endpoint;
  const manager = mayManage(principal, agent);
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    category: agent.category,
    provider: own ? own.providerType : agent.provider,
    model: agent.config.model ?? null,
    systemPrompt: agent.config.systemPrompt ?? null,
    temperature: agent.config.temperature ?? null,
    maxTokens: agent.config.maxTokens ?? null,
    ownProviderId: manager ? (own?.id ?? null) : null,
    endpoint: manager ? (own?.baseUrl ?? null) : null,
    appId: manager ? (agent.appId ?? null) : null,
    apiKeyHint: manager ? (own?.apiKeyHint ?? null) : null,
    avatar: agent.avatar,
    status: agent.status,
    isActive: agent.status === 'active',
    capabilities: agent.capabilities,
    config: agent.config,
    tools: agent.tools,
    knowledgeBaseIds: agent.knowledgeBaseIds,
    owner: agent.ownerId === null ? 'system' : 'user',
    ownerId: agent.ownerId,
    visibility: agent.visibility,
    source: agent.source,
    createdAt: agent.createdAt,
    updatedAt: agent.updatedAt,
  };
}
