import { z } from 'zod';
import type { ProviderInput } from '../../providers/provider-input.ts';
import { acceptedProviderTypes } from '../../providers/provider-types.ts';

/** Luxx documents ids as integers; ours are strings, so both spellings are accepted. */
const providerId = z.union([z.string().trim().min(1).max(128), z.number().int().nonnegative()]).transform(String);
const modelId = z.string().trim().max(200);

const settingsSchema = z
  .object({
    resource_name: z.string().trim().min(1).max(63).nullish().describe('Azure: resource name (<name>.openai.azure.com)'),
    api_version: z.string().trim().min(1).max(40).nullish().describe('Azure: api-version'),
    use_deployment_based_urls: z.boolean().nullish().describe('Azure: /deployments/{model}/… URLs'),
    thinking_budget_tokens: z.number().int().min(1024).max(1_000_000).nullish().describe('Anthropic: reasoning budget when thinking is on'),
  })
  .strict();

const fields = {
  name: z.string().trim().min(1).max(200).optional(),
  provider_type: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe(`One of ${acceptedProviderTypes.join(', ')}; a preset name fills in base_url and models`),
  preset: z.string().trim().min(1).max(64).nullish().describe('An OpenAI-compatible preset (deepseek, groq, …)'),
  base_url: z.string().trim().max(2048).nullish().describe('http(s) URL of the API; defaults to the type or preset URL'),
  api_key: z.string().max(8192).nullish().describe('Stored encrypted, shown only masked; null or "" removes it'),
  default_model: modelId.nullish(),
  models: z.array(modelId.min(1)).max(1000).optional(),
  max_tokens: z.number().int().min(1).max(10_000_000).nullish(),
  context_window: z.number().int().min(256).max(100_000_000).nullish(),
  is_default: z.boolean().optional(),
  enabled: z.boolean().optional(),
  fallback_provider_id: providerId.nullish(),
  fallback_model: modelId.nullish(),
  settings: settingsSchema.optional(),
};

export const createProviderBodySchema = z.object({
  ...fields,
  is_system: z.boolean().optional().describe('Admins only: a provider every user can use'),
});

export const updateProviderBodySchema = z.object(fields);

export const providerParamsSchema = z.object({ id: z.string().min(1).max(256) });

/** The body is optional: without a model, the provider's default model is used. */
export const testProviderBodySchema = z.object({ model: modelId.min(1).optional() }).nullish();

export const providerTestResultSchema = z.object({
  status_code: z.number().int().describe('Upstream HTTP status; 0 when no answer came'),
  success: z.boolean(),
  response_body: z.string().describe('The upstream body, truncated, with the key masked'),
});

type Body = z.infer<typeof updateProviderBodySchema>;

/** Request fields to domain input. On create, null means "not given"; on update it clears. */
export function providerInputOf(body: Body): ProviderInput {
  const settings = body.settings;
  return {
    name: body.name,
    providerType: body.provider_type,
    preset: body.preset,
    baseUrl: body.base_url,
    apiKey: body.api_key,
    defaultModel: body.default_model,
    models: body.models,
    maxTokens: body.max_tokens,
    contextWindow: body.context_window,
    isDefault: body.is_default,
    enabled: body.enabled,
    fallbackProviderId: body.fallback_provider_id,
    fallbackModel: body.fallback_model,
    settings: settings && {
      resourceName: settings.resource_name,
      apiVersion: settings.api_version,
      useDeploymentBasedUrls: settings.use_deployment_based_urls,
      thinkingBudgetTokens: settings.thinking_budget_tokens,
    },
  };
}
