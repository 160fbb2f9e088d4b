import { z } from 'zod';
import type { Agent } from '../../agents/agent-definition.ts';
import { agentConfigSchema } from '../../agents/agent-definition.ts';

export const agentViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string().nullable(),
  provider: z.string(),
  /** The agent's model (also in `config`), as LLMChat's agent list shows it. */
  model: z.string().nullable(),
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

export function agentView(agent: Agent): z.infer<typeof agentViewSchema> {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    category: agent.category,
    provider: agent.provider,
    model: agent.config.model ?? null,
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
