import { z } from 'zod';
import type { StoredAgent, StoredAgentConfig } from '../storage/repositories/agents-repository.ts';

export type { AgentSource } from '../storage/repositories/agents-repository.ts';

/** An agent as stored: the repository's shape, which the schemas below must produce. */
export type Agent = StoredAgent;

/** How an agent calls its model. Unknown keys are refused, so a typo is an error, not a silent no-op. */
export const agentConfigSchema = z
  .object({
    model: z.string().trim().min(1).max(200).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(1_000_000).optional(),
    topP: z.number().min(0).max(1).optional(),
    systemPrompt: z.string().max(100_000).optional(),
    /** FastGPT variables and Dify inputs. */
    variables: z.record(z.string(), z.unknown()).optional(),
    /** Dify apps that cannot stream are called in blocking mode. */
    responseMode: z.enum(['streaming', 'blocking']).optional(),
  })
  .strict() satisfies z.ZodType<StoredAgentConfig>;

export type AgentConfig = z.infer<typeof agentConfigSchema>;

const nameList = z.array(z.string().trim().min(1).max(200)).max(100);

/** Every field an agent has besides its id, owner and timestamps; shared by the API and the agents file. */
export const agentFieldsSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  category: z.string().trim().min(1).max(100).nullable().default(null),
  /** A Colloquy provider id, or a provider type, preset or name (openai, deepseek, fastgpt, dify …). */
  provider: z.string().trim().min(1).max(200),
  avatar: z.string().max(2000).nullable().default(null),
  status: z.enum(['active', 'inactive']).default('active'),
  /** System agents: public (every user) or private (admins only). A user's own agents are always private. */
  visibility: z.enum(['private', 'public']).optional(),
  capabilities: nameList.default([]),
  config: agentConfigSchema.default({}),
  /** Tool names (the tool registry's), offered to the model on every turn. */
  tools: nameList.default([]),
  knowledgeBaseIds: nameList.default([]),
});

export type AgentFields = z.infer<typeof agentFieldsSchema>;

export const agentIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits, ".", "_", ":" and "-"');

/**
 * One entry of the agents file. LLMChat's own agents file puts `model`, `temperature`,
 * `maxTokens`, `systemPrompt` at the top level and says `isActive`; both spellings are read.
 */
export const agentFileEntrySchema = agentFieldsSchema
  .extend({
    id: agentIdSchema,
    isActive: z.boolean().optional(),
    model: z.string().trim().min(1).max(200).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(1_000_000).optional(),
    systemPrompt: z.string().max(100_000).optional(),
  })
  .strict()
  .transform(({ isActive, model, temperature, maxTokens, systemPrompt, ...fields }) => ({
    ...fields,
    status: isActive === undefined ? fields.status : isActive ? ('active' as const) : ('inactive' as const),
    config: agentConfigSchema.parse({
      ...(model !== undefined ? { model } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
      ...fields.config,
    }),
  }));

export type AgentFileEntry = z.output<typeof agentFileEntrySchema>;
