import { z } from 'zod';
import type { ProviderDetails } from '../../providers/provider-service.ts';

/** A provider as Luxx clients read it (snake_case), with the key only ever masked. */
export const providerViewSchema = z.object({
  id: z.string(),
  user_id: z.string().nullable().describe('null for system providers'),
  name: z.string(),
  provider_type: z.string(),
  base_url: z.string().nullable(),
  api_key: z.string().nullable().describe('Masked (sk-…abcd); null when there is none or it is not yours to see'),
  default_model: z.string().nullable(),
  models: z.array(z.string()),
  max_tokens: z.number().int().nullable(),
  context_window: z.number().int().nullable(),
  is_default: z.boolean(),
  enabled: z.boolean(),
  is_system: z.boolean(),
  read_only: z.boolean().describe('Whether you may change or delete it'),
  preset: z.string().nullable(),
  fallback_provider_id: z.string().nullable(),
  fallback_model: z.string().nullable(),
  settings: z.object({
    resource_name: z.string().optional(),
    api_version: z.string().optional(),
    use_deployment_based_urls: z.boolean().optional(),
    thinking_budget_tokens: z.number().int().optional(),
  }),
  created_at: z.string(),
  updated_at: z.string(),
});

export type ProviderView = z.infer<typeof providerViewSchema>;

export function providerView(provider: ProviderDetails): ProviderView {
  const { resourceName, apiVersion, useDeploymentBasedUrls, thinkingBudgetTokens } = provider.settings;
  return {
    id: provider.id,
    user_id: provider.userId,
    name: provider.name,
    provider_type: provider.providerType,
    base_url: provider.baseUrl,
    api_key: provider.apiKeyMask,
    default_model: provider.defaultModel,
    models: provider.models,
    max_tokens: provider.maxTokens,
    context_window: provider.contextWindow,
    is_default: provider.isDefault,
    enabled: provider.enabled,
    is_system: provider.isSystem,
    read_only: provider.readOnly,
    preset: provider.preset,
    fallback_provider_id: provider.fallbackProviderId,
    fallback_model: provider.fallbackModel,
    settings: {
      ...(resourceName === undefined ? {} : { resource_name: resourceName }),
      ...(apiVersion === undefined ? {} : { api_version: apiVersion }),
      ...(useDeploymentBasedUrls === undefined ? {} : { use_deployment_based_urls: useDeploymentBasedUrls }),
      ...(thinkingBudgetTokens === undefined ? {} : { thinking_budget_tokens: thinkingBudgetTokens }),
    },
    created_at: provider.createdAt,
    updated_at: provider.updatedAt,
  };
}
