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

/**
 * LLMChat's admin form: the model settings at the top level (merged into `config`, which wins
 * where both are sent), `isActive`, and the agent's own endpoint, key and app id.
 */
const llmChatFields = {
  isActive: z.boolean().optional(),
  model: z.string().trim().min(1).max(200).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
  systemPrompt: z.string().max(100_000).optional(),
  /** The remote app's base or chat URL (FastGPT, Dify, an OpenAI-compatible server …); `null` drops it. */
  endpoint: z.string().trim().min(1).max(2000).nullable().optional(),
  /** Stored sealed and never returned (only `apiKeyHint`); `null` or empty removes it. */
  apiKey: z.string().trim().max(4000).nullable().optional(),
  /** The remote app's id (FastGPT's appId). */
  appId: z.string().trim().max(200).nullable().optional(),
  /** LLMChat's client feature switches: accepted, not stored (what a platform supports comes from its adapter). */
  features: z.record(z.string(), z.unknown()).optional(),
  rateLimit: z
    .object({ requestsPerMinute: z.number().optional(), tokensPerMinute: z.number().optional() })
    .optional()
    .refine(
      (limit) => limit === undefined || (limit.requestsPerMinute === undefined && limit.tokensPerMinute === undefined),
      'per-agent rate limits are not supported; leave rateLimit empty',
    ),
};

export const createAgentBodySchema = agentFieldsSchema.extend({
  /** A chosen id; one is made when absent. */
  id: agentIdSchema.optional(),
  /** `system` (admins only): an agent for every user. Default: your own, or for an admin's agent with an `endpoint`, a system agent. */
  scope: z.enum(['system', 'user']).optional(),
  ...llmChatFields,
});

export type LlmChatAgentFields = {
  isActive?: boolean;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  systemPrompt?: string;
  features?: unknown;
  rateLimit?: unknown;
};

/** The model settings sent at the top level, as a `config` fragment. */
export function topLevelConfigOf(body: LlmChatAgentFields) {
  const { model, temperature, maxTokens, systemPrompt } = body;
  return Object.fromEntries(Object.entries({ model, temperature, maxTokens, systemPrompt }).filter(([, value]) => value !== undefined));
}

/** `isActive` is the same switch as `status`. */
export function statusOf(isActive: boolean | undefined, status: 'active' | 'inactive' | undefined) {
  return isActive === undefined ? status : isActive ? ('active' as const) : ('inactive' as const);
}

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
  .extend(llmChatFields)
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');

export const fetchInfoBodySchema = z.object({
  /** fastgpt, dify, openai, anthropic, custom (any OpenAI-compatible server) or a provider type or preset. */
  provider: z.string().trim().min(1).max(200),
  endpoint: z.string().trim().min(1).max(2000),
  apiKey: z.string().trim().max(4000).optional(),
  /** FastGPT: the app's id (required there). */
  appId: z.string().trim().max(200).optional(),
});

export const remoteAgentInfoSchema = z.object({
  provider: z.string(),
  endpoint: z.string(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  model: z.string().nullable(),
  models: z.array(z.string()),
  systemPrompt: z.string().nullable(),
  temperature: z.number().nullable(),
  maxTokens: z.number().int().nullable(),
  capabilities: z.array(z.string()),
  features: z.record(z.string(), z.boolean()),
  welcomeText: z.string().nullable(),
  variables: z.array(z.unknown()),
  mode: z.string().nullable(),
});

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
