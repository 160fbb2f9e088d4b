import type { RequestContext } from '../auth/principal.ts';
import { AppError, validationError } from '../errors/app-error.ts';
import type { ProviderModule } from '../providers/provider-module.ts';
import { platformBaseUrl, platformOf, platformTypeOf } from './agent-platform.ts';

/** An agent's own endpoint and key, as LLMChat's admin form sends them. Absent fields change nothing. */
export interface AgentEndpointInput {
  /** The remote app's base or chat URL; null drops the agent's own provider. */
  endpoint?: string | null;
  /** Its key: null or empty removes it, a masked echo (`sk-…abcd`) keeps the stored one. */
  apiKey?: string | null;
  /** The remote app's id (FastGPT's appId). */
  appId?: string | null;
}

interface AgentOwner {
  id: string;
  name: string;
  /** Null for system agents, whose provider is a system provider. */
  ownerId: string | null;
}

const providerNameFor = (agentName: string): string => `Agent: ${agentName}`.slice(0, 200);

/**
 * The provider an agent carries as its own endpoint and key, kept through the provider service,
 * so the key is sealed like every provider key, the SSRF rules are the provider rules, and the
 * audit log records it. The provider is the agent owner's (a system provider for system agents)
 * and is marked with the agent's id, which keeps it out of the providers other requests pick.
 */
export function createAgentEndpoints(providers: ProviderModule) {
  return {
    /** Makes the agent's provider; returns its id, which becomes the agent's `provider`. */
    async create(context: RequestContext, agent: AgentOwner, provider: string, input: AgentEndpointInput): Promise<string> {
      if (!input.endpoint) {
        throw validationError('send endpoint with apiKey: the URL of the app or server the key belongs to (e.g. https://api.dify.ai/v1)');
      }
      const platform = platformOf(provider, input.endpoint);
      const created = await providers.service.create(
        context,
        {
          name: providerNameFor(agent.name),
          providerType: platform.info.type,
          baseUrl: platform.baseUrl,
          apiKey: input.apiKey ?? null,
          // The agent names its model; a model list here would let other requests pick this provider by model.
          models: [],
          defaultModel: null,
          settings: { agentId: agent.id },
        },
        { isSystem: agent.ownerId === null },
      );
      return created.id;
    },

    /** Changes the agent's provider: `provider` is its platform type; a new endpoint or key replaces the old. */
    async update(context: RequestContext, providerId: string, change: { provider?: string; name?: string } & AgentEndpointInput): Promise<void> {
      const current = await providers.service.get(context, providerId);
      const info = change.provider === undefined ? platformTypeOf(current.providerType) : platformTypeOf(change.provider);
      // The base URL is always sent: a type change alone would otherwise move the provider to the type's default URL.
      const baseUrl = change.endpoint ? platformBaseUrl(info, change.endpoint) : current.baseUrl;
      const changed =
        info.type !== current.providerType || baseUrl !== current.baseUrl || change.apiKey !== undefined || change.name !== undefined;
      if (!changed) return;
      await providers.service.update(context, providerId, {
        providerType: info.type,
        baseUrl,
        ...(change.apiKey !== undefined ? { apiKey: change.apiKey } : {}),
        ...(change.name !== undefined ? { name: providerNameFor(change.name) } : {}),
      });
    },

    /** Removes the agent's provider; one already gone is fine. */
    async remove(context: RequestContext, providerId: string): Promise<void> {
      try {
        await providers.service.delete(context, providerId);
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
      }
    },
  };
}

export type AgentEndpoints = ReturnType<typeof createAgentEndpoints>;
