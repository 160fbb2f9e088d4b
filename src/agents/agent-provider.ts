import type { Principal } from '../auth/principal.ts';
import { validationError } from '../errors/app-error.ts';
import type { ProviderModule } from '../providers/provider-module.ts';
import type { ProviderEntry } from '../providers/provider-directory.ts';
import { describeProviderType } from '../providers/provider-types.ts';
import type { Agent } from './agent-definition.ts';

/** Whether the provider behind an agent answers, as `GET /api/agents/{id}/status` reports it. */
export interface AgentStatus {
  agentId: string;
  status: 'online' | 'offline';
  /** Milliseconds the probe took. */
  latency: number;
  checkedAt: string;
  providerId: string | null;
  message: string;
}

/**
 * The provider an agent's `provider` names, among those the user may use: a provider id first,
 * else a provider of that type, preset or name. System agents prefer system providers, so an
 * operator's agent keeps using the operator's Dify app even when a user has one of their own.
 */
export async function providerForAgent(providers: ProviderModule, userId: string, agent: Agent): Promise<ProviderEntry> {
  const byId = await providers.directory.findVisible(userId, agent.provider, { forAgentId: agent.id });
  if (byId?.record.enabled) return byId;
  const wanted = agent.provider.toLowerCase();
  const type = describeProviderType(wanted)?.type;
  const usable = await providers.directory.usable(userId);
  const ordered = agent.ownerId === null ? [...usable.filter((entry) => entry.origin !== 'user'), ...usable.filter((entry) => entry.origin === 'user')] : usable;
  const found =
    (type && ordered.find((entry) => entry.record.providerType === type || entry.record.settings.preset === type)) ||
    ordered.find((entry) => entry.record.name.toLowerCase() === wanted);
  if (!found) {
    throw validationError(`agent "${agent.name}" uses provider "${agent.provider}", which is not configured for you; add one at POST /api/providers`);
  }
  return found;
}

/** Probes the agent's provider with the provider module's connection test. */
export async function checkAgentStatus(
  providers: ProviderModule,
  principal: Principal,
  agent: Agent,
  clock: () => Date,
): Promise<AgentStatus> {
  const started = Date.now();
  let entry: ProviderEntry;
  try {
    entry = await providerForAgent(providers, principal.user.id, agent);
  } catch (error) {
    return { agentId: agent.id, status: 'offline', latency: 0, checkedAt: clock().toISOString(), providerId: null, message: (error as Error).message };
  }
  // FastGPT cannot list models, so its probe is a one-token chat, which needs some model label.
  const info = describeProviderType(entry.record.providerType);
  const label = info?.wireFormat === 'fastgpt' && !entry.record.defaultModel && entry.record.models.length === 0 ? info.knownModels[0]?.id : undefined;
  const result = await providers.models.test(principal, entry.record.id, agent.config.model ?? label, { forAgentId: agent.id });
  return {
    agentId: agent.id,
    status: result.success ? 'online' : 'offline',
    latency: Date.now() - started,
    checkedAt: clock().toISOString(),
    providerId: entry.record.id,
    message: result.message,
  };
}
