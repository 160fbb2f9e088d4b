import type { AuditLog } from '../audit/audit-log.ts';
import type { Principal, RequestContext } from '../auth/principal.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { ProviderOwner, ProviderPatch, ProvidersRepository, StoredProvider } from '../storage/repositories/providers-repository.ts';
import type { ProviderDirectory, ProviderEntry } from './provider-directory.ts';
import { normalizeProviderInput, type KeyChange, type ProviderInput } from './provider-input.ts';
import { maskSecret, SecretBoxError, type SecretBox } from './secret-box.ts';

/** A provider as a caller may see it: never the key, only its mask, and only to those who manage it. */
export interface ProviderDetails extends Omit<StoredProvider, 'apiKeyCipher' | 'apiKeyHint'> {
  apiKeyMask: string | null;
  isSystem: boolean;
  isEnvironment: boolean;
  /** Whether this caller may change or delete it. */
  readOnly: boolean;
  preset: string | null;
}

function principalOf(context: RequestContext): Principal {
  if (!context.principal) throw new AppError('UNAUTHORIZED', 'authentication required');
  return context.principal;
}

/**
 * Providers through the API: users manage their own, admins also the system ones (user_id
 * NULL); environment providers are listed to everyone and changed by no one. Keys are sealed
 * before they are stored and re-sealed with the current encryption key on every write.
 */
export function createProviderService(dependencies: {
  repository: ProvidersRepository;
  directory: ProviderDirectory;
  secretBox: SecretBox;
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
}) {
  const { repository, directory, secretBox, audit, newId, clock } = dependencies;

  function detailsOf(entry: ProviderEntry, principal: Principal): ProviderDetails {
    const { apiKeyCipher: _cipher, apiKeyHint, ...record } = entry.record;
    const isSystem = entry.origin !== 'user';
    const mayManage = entry.origin === 'user' || principal.isAdmin;
    return {
      ...record,
      // Users see that a system provider exists, never a hint of its key.
      apiKeyMask: mayManage ? apiKeyHint : null,
      isSystem,
      isEnvironment: entry.origin === 'environment',
      readOnly: entry.origin === 'environment' || (isSystem && !principal.isAdmin),
      preset: entry.record.settings.preset ?? null,
    };
  }

  /** The key columns for a write: sealed for this row, or re-sealed when an old encryption key sealed it. */
  function keyColumns(id: string, change: KeyChange, existing?: StoredProvider): ProviderPatch {
    if (change.kind === 'set') return { apiKeyCipher: secretBox.seal(change.key, id), apiKeyHint: maskSecret(change.key) };
    if (change.kind === 'clear') return { apiKeyCipher: null, apiKeyHint: null };
    if (!existing?.apiKeyCipher) return {};
    try {
      const opened = secretBox.open(existing.apiKeyCipher, id);
      return opened.sealedWithCurrentKey ? {} : { apiKeyCipher: secretBox.seal(opened.plaintext, id) };
    } catch (error) {
      // A damaged value stays as it is: the caller can still rename, disable or re-key the provider.
      if (error instanceof SecretBoxError) return {};
      throw error;
    }
  }

  async function checkFallback(owner: ProviderOwner, id: string, fallbackId: string | null | undefined): Promise<void> {
    if (!fallbackId) return;
    if (fallbackId === id) throw validationError('fallback_provider_id cannot be the provider itself');
    const found =
      directory.isEnvironmentProvider(fallbackId) ||
      (owner === null ? await repository.findOwned(null, fallbackId) : await repository.findVisible(owner, fallbackId));
    // Another agent's own system provider is reached through that agent only, never as a fallback.
    const usable = found === true || (found && !(owner !== null && found.userId === null && found.settings.agentId));
    if (!usable) throw validationError(`fallback_provider_id ${fallbackId} is not a provider this one can use`);
  }

  async function deny(context: RequestContext, action: string, id: string, reason: string, error: AppError): Promise<never> {
    await audit.record(context, { action, result: error.code === 'NOT_FOUND' ? 'failure' : 'denied', targetType: 'provider', targetId: id, details: { reason } });
    throw error;
  }

  /** The provider this caller may change, with its owner; 403 for read-only ones, 404 for others'. */
  async function changeable(context: RequestContext, action: string, id: string): Promise<{ record: StoredProvider; owner: ProviderOwner }> {
    const principal = principalOf(context);
    if (directory.isEnvironmentProvider(id)) {
      return deny(context, action, id, 'environment_provider', new AppError('FORBIDDEN', `provider ${id} comes from the server environment and is read-only; change its environment variables instead`));
    }
    const own = await repository.findOwned(principal.user.id, id);
    if (own) return { record: own, owner: principal.user.id };
    const system = await repository.findOwned(null, id);
    if (system && principal.isAdmin) return { record: system, owner: null };
    if (system?.enabled) {
      return deny(context, action, id, 'system_provider', new AppError('FORBIDDEN', 'system providers can be changed only by admins'));
    }
    return deny(context, action, id, 'not_found', notFound('provider'));
  }

  return {
    async list(context: RequestContext): Promise<ProviderDetails[]> {
      const principal = principalOf(context);
      const entries = await directory.visible(principal.user.id, { includeDisabledSystem: principal.isAdmin, includeAgentBound: principal.isAdmin });
      return entries.map((entry) => detailsOf(entry, principal));
    },

    async get(context: RequestContext, id: string): Promise<ProviderDetails> {
      const principal = principalOf(context);
      const entry = await directory.findVisible(principal.user.id, id, { includeDisabledSystem: principal.isAdmin, includeAgentBound: principal.isAdmin });
      if (!entry) throw notFound('provider');
      return detailsOf(entry, principal);
    },

    /** Creates a user's provider, or with `isSystem` (admins only) one every user can use. */
    async create(context: RequestContext, input: ProviderInput, options: { isSystem?: boolean } = {}): Promise<ProviderDetails> {
      const principal = principalOf(context);
      if (options.isSystem && !principal.isAdmin) {
        await audit.record(context, { action: 'provider.create', result: 'denied', targetType: 'provider', details: { reason: 'system_requires_admin' } });
        throw new AppError('FORBIDDEN', 'only admins can create system providers (is_system: true)');
      }
      const owner: ProviderOwner = options.isSystem ? null : principal.user.id;
      const { patch, keyChange } = normalizeProviderInput(input);
      const id = newId();
      await checkFallback(owner, id, patch.fallbackProviderId);
      const now = clock().toISOString();
      const record = await repository.create({
        id,
        userId: owner,
        name: patch.name!,
        providerType: patch.providerType!,
        baseUrl: patch.baseUrl ?? null,
        apiKeyCipher: null,
        apiKeyHint: null,
        defaultModel: patch.defaultModel ?? null,
        models: patch.models ?? [],
        maxTokens: patch.maxTokens ?? null,
        contextWindow: patch.contextWindow ?? null,
        isDefault: patch.isDefault ?? false,
        enabled: patch.enabled ?? true,
        fallbackProviderId: patch.fallbackProviderId ?? null,
        fallbackModel: patch.fallbackModel ?? null,
        settings: patch.settings ?? {},
        createdAt: now,
        updatedAt: now,
        ...keyColumns(id, keyChange),
      });
      if (record.isDefault) await repository.clearDefaults(owner, id, now);
      await audit.record(context, {
        action: 'provider.create',
        result: 'success',
        targetType: 'provider',
        targetId: id,
        details: { name: record.name, providerType: record.providerType, isSystem: owner === null, hasKey: record.apiKeyCipher !== null },
      });
      return detailsOf({ record, origin: owner === null ? 'system' : 'user' }, principal);
    },

    async update(context: RequestContext, id: string, input: ProviderInput): Promise<ProviderDetails> {
      const principal = principalOf(context);
      const { record: existing, owner } = await changeable(context, 'provider.update', id);
      const { patch, keyChange } = normalizeProviderInput(input, existing);
      await checkFallback(owner, id, patch.fallbackProviderId);
      const now = clock().toISOString();
      const updated = await repository.update(owner, id, { ...patch, ...keyColumns(id, keyChange, existing) }, now);
      if (!updated) throw notFound('provider');
      if (patch.isDefault) await repository.clearDefaults(owner, id, now);
      await audit.record(context, {
        action: 'provider.update',
        result: 'success',
        targetType: 'provider',
        targetId: id,
        details: {
          name: updated.name,
          fields: Object.keys(input).filter((field) => (input as Record<string, unknown>)[field] !== undefined),
          keyChanged: keyChange.kind !== 'keep',
          isSystem: owner === null,
        },
      });
      return detailsOf({ record: updated, origin: owner === null ? 'system' : 'user' }, principal);
    },

    async delete(context: RequestContext, id: string): Promise<void> {
      const { record, owner } = await changeable(context, 'provider.delete', id);
      const deleted = await repository.delete(owner, id);
      if (!deleted) throw notFound('provider');
      await audit.record(context, {
        action: 'provider.delete',
        result: 'success',
        targetType: 'provider',
        targetId: id,
        details: { name: record.name, providerType: record.providerType, isSystem: owner === null },
      });
    },
  };
}

export type ProviderService = ReturnType<typeof createProviderService>;
