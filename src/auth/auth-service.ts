import type { AuditLog } from '../audit/audit-log.ts';
import type { DiagnosticLog } from '../diagnostics.ts';
import { AppError } from '../errors/app-error.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { AuthSessionsRepository } from '../storage/repositories/auth-sessions-repository.ts';
import type { Role, User, UsersRepository } from '../storage/repositories/users-repository.ts';
import type { AccessTokens } from './access-tokens.ts';
import type { LoginAccount, LoginLimiter } from './login-limiter.ts';
import type { PasswordHasher } from './passwords.ts';
import type { RequestContext } from './principal.ts';
import { hashSecret, newRefreshToken } from './secrets.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

export interface Registration {
  username?: string;
  email?: string;
  name?: string;
  password: string;
}

export interface AuthServiceDependencies {
  users: UsersRepository;
  sessions: AuthSessionsRepository;
  accessTokens: AccessTokens;
  passwords: PasswordHasher;
  loginLimiter: LoginLimiter;
  audit: AuditLog;
  log: DiagnosticLog;
  newId: IdGenerator;
  clock: () => Date;
  settings: {
    registration: 'open' | 'closed' | 'admin-only';
    refreshTokenTtlSeconds: number;
    defaultPermissionLevel: number;
  };
}

const invalidLogin = () => new AppError('UNAUTHORIZED', 'invalid username/email or password');

export function createAuthService(dependencies: AuthServiceDependencies) {
  const { users, sessions, accessTokens, passwords, loginLimiter, audit, log, newId, clock, settings } = dependencies;
  const now = () => clock().toISOString();
  const later = (seconds: number) => new Date(clock().getTime() + seconds * 1000).toISOString();

  async function uniqueUsernameFrom(seed: string): Promise<string> {
    const base = seed.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40) || 'user';
    if (!(await users.isUsernameTaken(base))) return base;
    for (let attempt = 2; attempt < 1000; attempt += 1) {
      const candidate = `${base}${attempt}`;
      if (!(await users.isUsernameTaken(candidate))) return candidate;
    }
    return `${base}-${newId().slice(-8)}`;
  }

  async function issueTokens(user: User, sessionId: string): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    await sessions.addRefreshToken({
      id: newId(),
      sessionId,
      userId: user.id,
      tokenHash: hashSecret(refreshToken),
      createdAt: now(),
      expiresAt: later(settings.refreshTokenTtlSeconds),
      usedAt: null,
    });
    const accessToken = await accessTokens.issue({ userId: user.id, sessionId });
    return { accessToken, refreshToken, expiresIn: accessTokens.ttlSeconds, user };
  }

  return {
    /** Creates an account. `asAdmin` is for admin calls and the CLI; registration never grants it. */
    async register(
      input: Registration,
      context: RequestContext | undefined,
      options: { role?: Role; permissionLevel?: number; isGuest?: boolean; bypassPolicy?: boolean } = {},
    ): Promise<User> {
      if (!options.bypassPolicy) {
        const policy = settings.registration;
        const callerIsAdmin = context?.principal?.isAdmin === true;
        if (policy === 'closed' || (policy === 'admin-only' && !callerIsAdmin)) {
          await audit.record(context, { action: 'auth.register', result: 'denied', details: { policy } });
          throw new AppError('FORBIDDEN', `registration is ${policy === 'closed' ? 'closed' : 'limited to admins'}`);
        }
      }
      const passwordHash = await passwords.hash(input.password);
      let user: User;
      for (let attempt = 1; ; attempt += 1) {
        const username = input.username ?? (await uniqueUsernameFrom(input.email!.split('@')[0]!));
        try {
          user = await users.create({
            id: newId(),
            username,
            email: input.email ?? null,
            name: input.name ?? null,
            passwordHash,
            role: options.role ?? 'user',
            permissionLevel: options.permissionLevel ?? settings.defaultPermissionLevel,
            isGuest: options.isGuest,
            now: now(),
          });
          break;
        } catch (error) {
          // A name derived from the email was free when looked up but taken by a parallel sign-up
          // before the insert: derive again. A taken email, or a name the caller chose, is a 409.
          const raced = input.username === undefined && error instanceof AppError && error.code === 'CONFLICT' && attempt < 10 && (await users.isUsernameTaken(username));
          if (!raced) throw error;
        }
      }
      await audit.record(context, {
        action: 'auth.register',
        result: 'success',
        targetType: 'user',
        targetId: user.id,
        actorUserId: context?.principal?.user.id ?? user.id,
      });
      return user;
    },

    async login(identifier: string, password: string, context: RequestContext): Promise<TokenPair> {
      // Look the account up first so its username and email share one budget, then count the
      // attempt before verifying: parallel guesses cannot all pass a check none of them has counted.
      const found = await users.findForLogin(identifier);
      const account: LoginAccount = found ? { userId: found.user.id } : { identifier };
      try {
        await loginLimiter.consume(account, context.ip);
      } catch (error) {
        const reason = error instanceof AppError ? error.code.toLowerCase() : 'error';
        await audit.record(context, { action: 'auth.login', result: 'denied', details: { reason } });
        throw error;
      }
      const matches = found ? await passwords.verify(found.passwordHash, password, { userId: found.user.id }) : false;
      if (!found) await passwords.verifyAgainstDummy(password);
      if (!found || !matches) {
        await audit.record(context, {
          action: 'auth.login',
          result: 'failure',
          actorUserId: found?.user.id,
          details: { reason: 'bad_credentials' },
        });
        throw invalidLogin();
      }
      if (!found.user.isActive) {
        await audit.record(context, { action: 'auth.login', result: 'denied', actorUserId: found.user.id, details: { reason: 'deactivated' } });
        throw new AppError('FORBIDDEN', 'account is deactivated');
      }
      try {
        await loginLimiter.succeeded(account, context.ip);
      } catch (error) {
        // The password was right; a refund that did not reach the store only leaves the budget spent.
        log.warn({ err: error, userId: found.user.id }, 'login budget refund failed');
      }
      const sessionId = newId();
      await sessions.createSession({
        id: sessionId,
        userId: found.user.id,
        createdAt: now(),
        lastUsedAt: now(),
        expiresAt: later(settings.refreshTokenTtlSeconds),
        revokedAt: null,
        revokedReason: null,
        userAgent: context.userAgent?.slice(0, 512) ?? null,
        ip: context.ip,
      });
      await audit.record(context, { action: 'auth.login', result: 'success', actorUserId: found.user.id, targetType: 'session', targetId: sessionId });
      return issueTokens(found.user, sessionId);
    },

    /** Rotates a refresh token. Reusing a rotated token revokes its whole session (family). */
    async refresh(refreshToken: string, context: RequestContext): Promise<TokenPair> {
      const stored = await sessions.findRefreshToken(hashSecret(refreshToken));
      if (!stored) {
        await audit.record(context, { action: 'auth.refresh', result: 'failure', details: { reason: 'unknown_token' } });
        throw new AppError('UNAUTHORIZED', 'invalid refresh token');
      }
      const session = await sessions.findSession(stored.sessionId);
      const fail = async (reason: string, message: string) => {
        await audit.record(context, { action: 'auth.refresh', result: 'denied', actorUserId: stored.userId, targetType: 'session', targetId: stored.sessionId, details: { reason } });
        return new AppError('UNAUTHORIZED', message);
      };
      if (!session || session.revokedAt !== null) throw await fail('session_revoked', 'session has ended; log in again');
      if (stored.usedAt !== null || !(await sessions.markRefreshTokenUsed(stored.id, now()))) {
        await sessions.revokeSession(session.id, 'refresh_token_reuse', now());
        throw await fail('reuse_detected', 'refresh token was already used; the session has been revoked');
      }
      if (Date.parse(stored.expiresAt) <= clock().getTime()) throw await fail('expired', 'refresh token has expired');
      const user = await users.findById(stored.userId);
      if (!user || !user.isActive) throw await fail('deactivated', 'account is deactivated');
      await sessions.touchSession(session.id, now());
      await audit.record(context, { action: 'auth.refresh', result: 'success', actorUserId: user.id, targetType: 'session', targetId: session.id });
      return issueTokens(user, session.id);
    },

    /** Ends the caller's login session, or the one a given refresh token belongs to. */
    async logout(context: RequestContext, refreshToken?: string): Promise<void> {
      let sessionId = context.principal?.sessionId;
      if (!sessionId && refreshToken) {
        const stored = await sessions.findRefreshToken(hashSecret(refreshToken));
        if (stored && (!context.principal || stored.userId === context.principal.user.id)) sessionId = stored.sessionId;
      }
      if (sessionId) await sessions.revokeSession(sessionId, 'logout', now());
      await audit.record(context, { action: 'auth.logout', result: 'success', targetType: 'session', targetId: sessionId });
    },

    /** Changes the caller's password and revokes every other login session. */
    async changePassword(context: RequestContext, currentPassword: string, newPassword: string): Promise<{ revokedSessions: number }> {
      const principal = context.principal!;
      const currentHash = await users.passwordHashOf(principal.user.id);
      if (!currentHash || !(await passwords.verify(currentHash, currentPassword, { userId: principal.user.id }))) {
        await audit.record(context, { action: 'auth.change_password', result: 'failure', targetType: 'user', targetId: principal.user.id });
        throw new AppError('VALIDATION_ERROR', 'currentPassword is incorrect');
      }
      await users.update(principal.user.id, { passwordHash: await passwords.hash(newPassword) }, now());
      const revokedSessions = await sessions.revokeUserSessions(principal.user.id, 'password_changed', now(), principal.sessionId);
      await audit.record(context, { action: 'auth.change_password', result: 'success', targetType: 'user', targetId: principal.user.id, details: { revokedSessions } });
      return { revokedSessions };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
