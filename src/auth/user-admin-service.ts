import type { AuditLog } from '../audit/audit-log.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import type { AuthSessionsRepository } from '../storage/repositories/auth-sessions-repository.ts';
import type { Role, User, UserPatch, UsersRepository } from '../storage/repositories/users-repository.ts';
import type { AuthService, Registration } from './auth-service.ts';
import type { PasswordHasher } from './passwords.ts';
import { permissionLevels } from './permissions.ts';
import type { Principal, RequestContext } from './principal.ts';

export interface UserChanges {
  permissionLevel?: number;
  role?: Role;
  isActive?: boolean;
  password?: string;
}

export interface NewUserByAdmin extends Registration {
  role?: Role;
  permissionLevel?: number;
}

/** Field names as clients send them, for audit details; a password's value is never recorded. */
const changedFieldNames: Record<keyof UserChanges, string> = {
  permissionLevel: 'permission_level',
  role: 'role',
  isActive: 'is_active',
  password: 'password',
};

const isActiveAdmin = (user: Pick<User, 'role' | 'isActive'>) => user.role === 'admin' && user.isActive;

/**
 * Luxx's admin user management. Every action is audited, and deactivation or a password reset
 * ends the user's login sessions at once (the authenticator already refuses inactive users'
 * access tokens and API keys on their next request).
 */
export function createUserAdminService(dependencies: {
  users: UsersRepository;
  sessions: AuthSessionsRepository;
  auth: AuthService;
  passwords: PasswordHasher;
  audit: AuditLog;
  clock: () => Date;
}) {
  const { users, sessions, auth, passwords, audit, clock } = dependencies;
  const now = () => clock().toISOString();

  /**
   * The route's `auth: 'admin'` already checks this; the service checks again so no other caller
   * can skip it. Keys limited below their owner carry no admin rights (see the authenticator).
   */
  function adminOf(context: RequestContext): Principal {
    const principal = context.principal;
    if (!principal?.isAdmin) throw new AppError('FORBIDDEN', 'admin role required');
    return principal;
  }

  const losesAdmin = (target: User, changes: UserChanges) =>
    isActiveAdmin(target) && !isActiveAdmin({ role: changes.role ?? target.role, isActive: changes.isActive ?? target.isActive });

  return {
    async list(context: RequestContext, page: { offset: number; limit: number }): Promise<{ users: User[]; total: number }> {
      adminOf(context);
      return users.list(page);
    },

    async get(context: RequestContext, id: string): Promise<User> {
      adminOf(context);
      const user = await users.findById(id);
      if (!user) throw notFound('user');
      return user;
    },

    /** Creates an account whatever the registration setting says; only an admin can. */
    async create(context: RequestContext, input: NewUserByAdmin): Promise<User> {
      adminOf(context);
      const role = input.role ?? 'user';
      const permissionLevel = input.permissionLevel ?? (role === 'admin' ? permissionLevels.ADMIN : undefined);
      const user = await auth.register(
        { username: input.username, email: input.email, name: input.name, password: input.password },
        context,
        { bypassPolicy: true, role, permissionLevel },
      );
      await audit.record(context, {
        action: 'admin.user.create',
        result: 'success',
        targetType: 'user',
        targetId: user.id,
        details: { role: user.role, permission_level: user.permissionLevel },
      });
      return user;
    },

    async update(context: RequestContext, id: string, changes: UserChanges): Promise<User> {
      const admin = adminOf(context);
      const fields = (Object.keys(changedFieldNames) as (keyof UserChanges)[])
        .filter((field) => changes[field] !== undefined)
        .map((field) => changedFieldNames[field]);
      const target = await users.findById(id);
      if (!target) {
        await audit.record(context, { action: 'admin.user.update', result: 'failure', targetType: 'user', targetId: id, details: { reason: 'not_found', fields } });
        throw notFound('user');
      }

      const patch: UserPatch = { role: changes.role, permissionLevel: changes.permissionLevel, isActive: changes.isActive };
      if (changes.password !== undefined) patch.passwordHash = await passwords.hash(changes.password);
      if (losesAdmin(target, changes)) {
        // Checked and applied in one statement, so two admins demoting each other at once cannot both pass.
        if (!(await users.updateUnlessLastAdmin(id, patch, now()))) {
          await audit.record(context, { action: 'admin.user.update', result: 'denied', targetType: 'user', targetId: id, details: { reason: 'last_admin', fields } });
          throw new AppError('CONFLICT', `${target.username} is the last active admin; make another user an admin before demoting or deactivating this one`);
        }
      } else {
        await users.update(id, patch, now());
      }
      const updated = (await users.findById(id))!;

      let revokedSessions = 0;
      const deactivated = target.isActive && !updated.isActive;
      if (deactivated) {
        revokedSessions += await sessions.revokeUserSessions(id, 'deactivated', now());
      } else if (changes.password !== undefined) {
        // An admin resetting their own password keeps the session they are using.
        const keep = id === admin.user.id ? admin.sessionId : undefined;
        revokedSessions += await sessions.revokeUserSessions(id, 'password_reset_by_admin', now(), keep);
      }
      await audit.record(context, { action: 'admin.user.update', result: 'success', targetType: 'user', targetId: id, details: { fields, revokedSessions } });
      if (deactivated) {
        await audit.record(context, { action: 'admin.user.deactivate', result: 'success', targetType: 'user', targetId: id, details: { revokedSessions } });
      } else if (!target.isActive && updated.isActive) {
        await audit.record(context, { action: 'admin.user.activate', result: 'success', targetType: 'user', targetId: id });
      }
      return updated;
    },
  };
}

export type UserAdminService = ReturnType<typeof createUserAdminService>;
