import { z } from 'zod';
import { agentConfigSchema, agentFieldsSchema, agentIdSchema } from '../../agents/agent-definition.ts';

const nameList = z.array(z.string().trim().min(1).max(200)).max(100);

export const agentParamsSchema = z.object({ id: z.string().min(1).max(128) });

/** Without `page` or `limit` the list is a plain array (LLMChat's web app); with either, a page (API.md). */
export const agentListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  category: z.string().trim().min(1).max(100).optional(),
  provider: z.string().trim().min(1).max(200).optional(),
  includeInactive: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => value === 'true' || value === '1'),
});

export const createAgentBodySchema = agentFieldsSchema.extend({
  /** A chosen id; one is made when absent. */
  id: agentIdSchema.optional(),
  /** `system` (admins only): an agent for every user. Default: your own. */
  scope: z.enum(['system', 'user']).optional(),
});

/** Every field optional, and no defaults, so an absent field keeps its value. `isActive` is LLMChat's switch. */
export const updateAgentBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000),
    category: z.string().trim().min(1).max(100).nullable(),
    provider: z.string().trim().min(1).max(200),
    avatar: z.string().max(2000).nullable(),
    status: z.enum(['active', 'inactive']),
    isActive: z.boolean(),
    visibility: z.enum(['private', 'public']),
    capabilities: nameList,
    config: agentConfigSchema,
    tools: nameList,
    knowledgeBaseIds: nameList,
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');

export const agentStatusSchema = z.object({
  agentId: z.string(),
  status: z.enum(['online', 'offline']),
  latency: z.number().int().nonnegative(),
  checkedAt: z.string(),
  providerId: z.string().nullable(),
  message: z.string(),
});

export const reloadReportSchema = z.object({
  file: z.string(),
  added: z.array(z.string()),
  updated: z.array(z.string()),
  unchanged: z.array(z.string()),
  removed: z.array(z.string()),
  invalid: z.array(z.object({ index: z.number().int(), id: z.string().optional(), reason: z.string() })),
});
