import type { AuditLog } from '../audit/audit-log.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { ApiKey, ApiKeysRepository } from '../storage/repositories/api-keys-repository.ts';
import type { Principal, RequestContext } from './principal.ts';
import { hashSecret, maskApiKey, newApiKeySecret } from './secrets.ts';

/** A key as its owner sees it; `maskedKey` is all that is ever shown again after creation. */
export interface ApiKeyView extends ApiKey {
  maskedKey: string;
  /** The most this key grants right now: its own limit, never above its owner's current level. */
  effectivePermissionLevel: number;
}

export interface NewApiKeyRequest {
  name: string;
  permissionLevel?: number;
}

const storedPrefixLength = 7;
const storedSuffixLength = 4;

function ownerOf(context: RequestContext): Principal {
  if (!context.principal) throw new AppError('UNAUTHORIZED', 'authentication required');
  return context.principal;
}

function viewOf(key: ApiKey, owner: Principal): ApiKeyView {
  const ownerLevel = owner.user.permissionLevel;
  return {
    ...key,
    maskedKey: maskApiKey(key.keyPrefix, key.keyLast4),
    effectivePermissionLevel: Math.min(key.permissionLevel ?? ownerLevel, ownerLevel),
  };
}

/**
 * API keys belong to the calling user; every method takes the request context and acts only on
 * that user's keys, so another user's key id is simply not found. Changes are audited.
 */
export function createApiKeysService(dependencies: {
  apiKeys: ApiKeysRepository;
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
}) {
  const { apiKeys, audit, newId, clock } = dependencies;
  const now = () => clock().toISOString();

  /** Runs a change to one key; a missing key is audited as a failure and answers 404. */
  async function changeKey(
    context: RequestContext,
    action: string,
    id: string,
    change: (userId: string) => Promise<ApiKey | undefined>,
    details: Record<string, unknown> = {},
  ): Promise<ApiKeyView> {
    const owner = ownerOf(context);
    const key = await change(owner.user.id);
    if (!key) {
      await audit.record(context, { action, result: 'failure', targetType: 'api_key', targetId: id, details: { reason: 'not_found' } });
      throw notFound('API key');
    }
    await audit.record(context, { action, result: 'success', targetType: 'api_key', targetId: id, details: { name: key.name, ...details } });
    return viewOf(key, owner);
  }

  return {
    /** Creates a key and returns its full secret, which is never retrievable again. */
    async create(context: RequestContext, request: NewApiKeyRequest): Promise<{ key: ApiKeyView; secret: string }> {
      const owner = ownerOf(context);
      // The caller's effective level, not just the owner's: a restricted key must not mint a stronger one.
      const ceiling = owner.permissionLevel;
      if (request.permissionLevel !== undefined && request.permissionLevel > ceiling) {
        await audit.record(context, {
          action: 'api_key.create',
          result: 'denied',
          details: { reason: 'permission_level_too_high', requested: request.permissionLevel, allowed: ceiling },
        });
        throw new AppError(
          'VALIDATION_ERROR',
          `permission_level ${request.permissionLevel} is above your own level (${ceiling}); a key cannot grant more than its owner`,
        );
      }
      // Without an explicit level the key follows its owner, unless the caller is itself restricted.
      const permissionLevel = request.permissionLevel ?? (ceiling < owner.user.permissionLevel ? ceiling : null);
      const secret = newApiKeySecret();
      const key = await apiKeys.create({
        id: newId(),
        userId: owner.user.id,
        name: request.name,
        keyHash: hashSecret(secret),
        keyPrefix: secret.slice(0, storedPrefixLength),
        keyLast4: secret.slice(-storedSuffixLength),
        permissionLevel,
        createdAt: now(),
      });
      await audit.record(context, {
        action: 'api_key.create',
        result: 'success',
        targetType: 'api_key',
        targetId: key.id,
        details: { name: key.name, permissionLevel },
      });
      return { key: viewOf(key, owner), secret };
    },

    async list(context: RequestContext): Promise<ApiKeyView[]> {
      const owner = ownerOf(context);
      return (await apiKeys.listForUser(owner.user.id)).map((key) => viewOf(key, owner));
    },

    async get(context: RequestContext, id: string): Promise<ApiKeyView> {
      const owner = ownerOf(context);
      const key = await apiKeys.findForUser(owner.user.id, id);
      if (!key) throw notFound('API key');
      return viewOf(key, owner);
    },

    rename: (context: RequestContext, id: string, name: string) =>
      changeKey(context, 'api_key.rename', id, (userId) => apiKeys.rename(userId, id, name, now())),

    setActive: (context: RequestContext, id: string, isActive: boolean) =>
      changeKey(context, isActive ? 'api_key.activate' : 'api_key.deactivate', id, (userId) =>
        apiKeys.setActive(userId, id, isActive, now()),
      ),

    async delete(context: RequestContext, id: string): Promise<void> {
      const owner = ownerOf(context);
      const key = await apiKeys.findForUser(owner.user.id, id);
      const deleted = key !== undefined && (await apiKeys.delete(owner.user.id, id));
      await audit.record(context, {
        action: 'api_key.delete',
        result: deleted ? 'success' : 'failure',
        targetType: 'api_key',
        targetId: id,
        details: deleted ? { name: key.name } : { reason: 'not_found' },
      });
      if (!deleted) throw notFound('API key');
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
