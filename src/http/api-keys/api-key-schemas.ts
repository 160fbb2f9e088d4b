import { z } from 'zod';
import type { ApiKeyView } from '../../auth/api-keys-service.ts';

const name = z.string().trim().min(1).max(100);
const permissionLevel = z.number().int().min(1).max(4);

/** StellarChat sends `{name}`; `permission_level` (or `permissionLevel`) optionally limits the key. */
export const createApiKeyBodySchema = z.object({
  name,
  permission_level: permissionLevel.optional(),
  permissionLevel: permissionLevel.optional(),
});

export const updateApiKeyBodySchema = z
  .object({
    name: name.optional(),
    is_active: z.boolean().optional(),
    isActive: z.boolean().optional(),
  })
  .refine((body) => body.name !== undefined || (body.is_active ?? body.isActive) !== undefined, {
    message: 'send name or is_active',
    path: ['name'],
  });

export const apiKeyIdParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  key_prefix: z.string(),
  masked_key: z.string().describe('The prefix and last four characters, e.g. sk-abcd…wxyz'),
  created_at: z.string(),
  updated_at: z.string(),
  is_active: z.boolean(),
  last_used_at: z.string().nullable(),
  permission_level: z.number().int().describe("The most this key grants now: its own limit, capped at its owner's level"),
});

/** Only the creation response carries the full secret. */
export const createdApiKeySchema = apiKeySchema.extend({
  key: z.string().describe('The full secret; shown only in this response'),
});

/** StellarByte's list shape (`APIKeyListResponse`): StellarChat reads the keys from `data`. */
export const apiKeyListSchema = z.object({ data: z.array(apiKeySchema) });

/** Activate and deactivate answer the key as it now is, with StellarByte's `message`. */
export const changedApiKeySchema = apiKeySchema.extend({ message: z.string() });

export const deletedApiKeySchema = z.object({ message: z.string(), id: z.string() });

export const bareErrorSchema = z.object({ detail: z.string(), code: z.string() });

export function apiKeyView(key: ApiKeyView): z.infer<typeof apiKeySchema> {
  return {
    id: key.id,
    name: key.name,
    key_prefix: key.keyPrefix,
    masked_key: key.maskedKey,
    created_at: key.createdAt,
    updated_at: key.updatedAt,
    is_active: key.isActive,
    last_used_at: key.lastUsedAt,
    permission_level: key.effectivePermissionLevel,
  };
}
