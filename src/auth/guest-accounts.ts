import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditEvent, AuditLog } from '../audit/audit-log.ts';
import { AppError } from '../errors/app-error.ts';
import type { IdGenerator } from '../storage/ids.ts';
import { createApiKeysRepository } from '../storage/repositories/api-keys-repository.ts';
import { createUsersRepository, type User } from '../storage/repositories/users-repository.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import { createApiKeysService, type ApiKeyView, type NewApiKeyRequest } from './api-keys-service.ts';
import type { Principal, RequestContext } from './principal.ts';
import { consumeOne, type RateLimiterFactory } from './rate-limits.ts';

/**
 * A guest's password hash. It is not an argon2 hash, so no password ever verifies against it:
 * a guest signs in with its API key only.
 */
export const guestPasswordHash = '!guest-account:no-password-login';

/** Guest usernames: `guest-` and 12 random hex digits. */
export const guestUsernamePattern = /^guest-[0-9a-f]{12}$/;

export interface GuestSettings {
  registration: 'open' | 'closed' | 'admin-only';
  defaultPermissionLevel: number;
  /** Guest keys one IP address may mint per window. */
  maxKeysPerIp: number;
  windowSeconds: number;
}

const usernameAttempts = 3;

/**
 * Guest accounts for StellarChat's web app, which mints an API key without signing in. While
 * registration is open, an anonymous `POST /api/api-keys` creates a guest account (role user,
 * the default permission level, no password) that owns the new key; the account and its key are
 * written in one transaction, so a failure leaves neither. Minting is limited per IP address.
 */
export function createGuestAccounts(dependencies: {
  db: Kysely<DatabaseSchema>;
  rateLimiters: RateLimiterFactory;
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
  settings: GuestSettings;
}) {
  const { db, rateLimiters, audit, newId, clock, settings } = dependencies;
  const perIp = rateLimiters({ name: 'guest-key-ip', points: settings.maxKeysPerIp, windowSeconds: settings.windowSeconds });
  const unavailable = 'guest API keys';

  /** Spends one mint of the address's budget before anything is written, so parallel mints cannot overshoot. */
  async function consumeMint(context: RequestContext): Promise<void> {
    const result = await consumeOne(perIp, context.ip, unavailable);
    if (result.allowed) return;
    await audit.record(context, { action: 'auth.register_guest', result: 'denied', details: { reason: 'rate_limited' } });
    throw new AppError('RATE_LIMITED', `too many guest API keys from this address; try again in ${result.retryAfterSeconds} s, or sign in`, {
      retryAfterSeconds: result.retryAfterSeconds,
    });
  }

  /** Creates the guest and its key in one transaction; audit rows are written once it commits. */
  async function createGuestWithKey(context: RequestContext, request: NewApiKeyRequest) {
    const deferred: Array<[RequestContext | undefined, AuditEvent]> = [];
    const collecting: AuditLog = {
      record: async (eventContext, event) => {
        deferred.push([eventContext, event]);
      },
    };
    let committed = false;
    try {
      const created = await db.transaction().execute(async (transaction) => {
        const user = await createUsersRepository(transaction).create({
          id: newId(),
          username: `guest-${randomBytes(6).toString('hex')}`,
          email: null,
          name: 'Guest',
          passwordHash: guestPasswordHash,
          role: 'user',
          permissionLevel: settings.defaultPermissionLevel,
          isGuest: true,
          now: clock().toISOString(),
        });
        const principal: Principal = { user, credential: 'api_key', permissionLevel: user.permissionLevel, isAdmin: false };
        const guestContext = { ...context, principal };
        await collecting.record(guestContext, { action: 'auth.register_guest', result: 'success', targetType: 'user', targetId: user.id });
        const keys = createApiKeysService({ apiKeys: createApiKeysRepository(transaction), audit: collecting, newId, clock });
        const { key, secret } = await keys.create(guestContext, request);
        return { user, key, secret };
      });
      committed = true;
      return created;
    } finally {
      // A rolled-back creation left no account or key to name; only its refusals are kept.
      for (const [eventContext, event] of deferred) {
        if (committed || event.result !== 'success') await audit.record(eventContext, event);
      }
    }
  }

  return {
    /** Creates a guest account and its first API key for a caller without credentials. */
    async mintKey(context: RequestContext, request: NewApiKeyRequest): Promise<{ user: User; key: ApiKeyView; secret: string }> {
      if (settings.registration !== 'open') {
        await audit.record(context, { action: 'auth.register_guest', result: 'denied', details: { policy: settings.registration } });
        const policy = settings.registration === 'closed' ? 'closed' : 'limited to admins';
        throw new AppError(
          'UNAUTHORIZED',
          `registration is ${policy}, so API keys are created for signed-in users only; send Authorization: Bearer <access token or API key>`,
        );
      }
      await consumeMint(context);
      try {
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await createGuestWithKey(context, request);
          } catch (error) {
            // A registered user may hold a guest-like name; another random name will do.
            if (!(error instanceof AppError && error.code === 'CONFLICT') || attempt >= usernameAttempts) throw error;
          }
        }
      } catch (error) {
        // Nothing was minted, so the address gets its point back; if the store is gone too, the
        // mint's own error is the one worth answering with.
        await perIp.reward(context.ip, 1).catch(() => undefined);
        throw error;
      }
    },
  };
}

export type GuestAccounts = ReturnType<typeof createGuestAccounts>;
