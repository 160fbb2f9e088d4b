import type { Kysely, Selectable } from 'kysely';
import type { AuthSessionsTable, DatabaseSchema, RefreshTokensTable } from '../schema.ts';

export type AuthSession = Selectable<AuthSessionsTable>;
export type RefreshToken = Selectable<RefreshTokensTable>;

/**
 * Login sessions (one per login, the "family" of its refresh tokens) and their refresh tokens,
 * which are stored only as hashes.
 */
export function createAuthSessionsRepository(db: Kysely<DatabaseSchema>) {
  return {
    async createSession(session: AuthSession): Promise<void> {
      await db.insertInto('authSessions').values(session).execute();
    },

    async addRefreshToken(token: RefreshToken): Promise<void> {
      await db.insertInto('refreshTokens').values(token).execute();
    },

    async findSession(sessionId: string): Promise<AuthSession | undefined> {
      return db.selectFrom('authSessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
    },

    async findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined> {
      return db
        .selectFrom('refreshTokens')
        .selectAll()
        .where('tokenHash', '=', tokenHash)
        .executeTakeFirst();
    },

    /** Marks a refresh token used; false when another request used it first. */
    async markRefreshTokenUsed(tokenId: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('refreshTokens')
        .set({ usedAt: now })
        .where('id', '=', tokenId)
        .where('usedAt', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async touchSession(sessionId: string, now: string): Promise<void> {
      await db.updateTable('authSessions').set({ lastUsedAt: now }).where('id', '=', sessionId).execute();
    },

    async revokeSession(sessionId: string, reason: string, now: string): Promise<void> {
      await db
        .updateTable('authSessions')
        .set({ revokedAt: now, revokedReason: reason })
        .where('id', '=', sessionId)
        .where('revokedAt', 'is', null)
        .execute();
    },

    /** Revokes every session of a user, optionally keeping one; returns how many were revoked. */
    async revokeUserSessions(
      userId: string,
      reason: string,
      now: string,
      keepSessionId?: string,
    ): Promise<number> {
      let query = db
        .updateTable('authSessions')
        .set({ revokedAt: now, revokedReason: reason })
        .where('userId', '=', userId)
        .where('revokedAt', 'is', null);
      if (keepSessionId) query = query.where('id', '!=', keepSessionId);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type AuthSessionsRepository = ReturnType<typeof createAuthSessionsRepository>;
