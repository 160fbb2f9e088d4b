import { AppError } from '../errors/app-error.ts';
import type { ApiKeysRepository } from '../storage/repositories/api-keys-repository.ts';
import type { AuthSessionsRepository } from '../storage/repositories/auth-sessions-repository.ts';
import type { UsersRepository } from '../storage/repositories/users-repository.ts';
import type { AccessTokens } from './access-tokens.ts';
import type { Principal } from './principal.ts';
import { apiKeyPrefix, hashSecret } from './secrets.ts';

export interface Authenticator {
  /** Resolves a bearer credential (access token or API key) to a principal, or throws 401. */
  authenticate(credential: string): Promise<Principal>;
}

const lastUsedWriteIntervalMs = 60_000;

const refused = (message = 'invalid or expired credentials'): AppError => new AppError('UNAUTHORIZED', message);

/**
 * The single auth pipeline behind every surface: HTTP headers, WebSocket query parameters and
 * the OpenAI- and Anthropic-style headers all end here. The user row is read on every call, so
 * deactivating a user or revoking a session takes effect on the next request.
 */
export function createAuthenticator(dependencies: {
  users: UsersRepository;
  sessions: AuthSessionsRepository;
  apiKeys: ApiKeysRepository;
  accessTokens: AccessTokens;
  clock: () => Date;
}): Authenticator {
  const { users, sessions, apiKeys, accessTokens, clock } = dependencies;

  async function fromApiKey(secret: string): Promise<Principal> {
    const key = await apiKeys.findByHash(hashSecret(secret));
    if (!key || !key.isActive) throw refused('invalid or inactive API key');
    const user = await users.findById(key.userId);
    if (!user || !user.isActive) throw refused('account is deactivated');
    const now = clock();
    if (!key.lastUsedAt || now.getTime() - Date.parse(key.lastUsedAt) > lastUsedWriteIntervalMs) {
      await apiKeys.touch(key.userId, key.id, now.toISOString());
    }
    const permissionLevel = Math.min(key.permissionLevel ?? user.permissionLevel, user.permissionLevel);
    return {
      user,
      credential: 'api_key',
      apiKeyId: key.id,
      permissionLevel,
      // A key limited below its owner is a restricted credential: it never carries admin rights.
      isAdmin: user.role === 'admin' && permissionLevel >= user.permissionLevel,
    };
  }

  async function fromAccessToken(token: string): Promise<Principal> {
    const claims = await accessTokens.verify(token);
    if (!claims) throw refused();
    const [session, user] = await Promise.all([sessions.findSession(claims.sessionId), users.findById(claims.userId)]);
    if (!session || session.userId !== claims.userId || session.revokedAt !== null) {
      throw refused('session has ended; log in again');
    }
    if (!user || !user.isActive) throw refused('account is deactivated');
    return {
      user,
      credential: 'access_token',
      sessionId: session.id,
      permissionLevel: user.permissionLevel,
      isAdmin: user.role === 'admin',
    };
  }

  return {
    authenticate: (credential) =>
      credential.startsWith(apiKeyPrefix) ? fromApiKey(credential) : fromAccessToken(credential),
  };
}
