import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, UsersTable } from '../schema.ts';
import { fromFlag, toFlag } from '../sql-flags.ts';
import { withConflictAs } from '../unique-violations.ts';
import { locksRows } from '../row-locks.ts';

type UserRow = Selectable<UsersTable>;

export type Role = UserRow['role'];

/** A user as the app sees it: flags as booleans, and never the password hash or the lookup keys. */
export interface User extends Pick<UserRow, 'id' | 'username' | 'email' | 'name' | 'role' | 'permissionLevel' | 'workspacePath' | 'createdAt' | 'updatedAt'> {
  isActive: boolean;
  isGuest: boolean;
}

export interface NewUser extends Pick<UserRow, 'id' | 'username' | 'email' | 'name' | 'passwordHash' | 'role' | 'permissionLevel'> {
  isGuest?: boolean;
  now: string;
}

export interface UserPatch extends Partial<Pick<UserRow, 'role' | 'permissionLevel' | 'name' | 'email' | 'passwordHash' | 'workspacePath'>> {
  isActive?: boolean;
}

/** Case-insensitive lookup key for usernames and emails. */
export const loginKey = (value: string): string => value.trim().toLowerCase();

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    name: row.name,
    role: row.role,
    permissionLevel: row.permissionLevel,
    workspacePath: row.workspacePath,
    isActive: fromFlag(row.isActive),
    isGuest: fromFlag(row.isGuest),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function createUsersRepository(db: Kysely<DatabaseSchema>) {
  return {
    async create(user: NewUser): Promise<User> {
      const row = {
        id: user.id,
        username: user.username,
        usernameKey: loginKey(user.username),
        email: user.email,
        emailKey: user.email === null ? null : loginKey(user.email),
        name: user.name,
        passwordHash: user.passwordHash,
        role: user.role,
        permissionLevel: user.permissionLevel,
        workspacePath: null,
        isActive: 1,
        isGuest: toFlag(user.isGuest ?? false),
        createdAt: user.now,
        updatedAt: user.now,
      };
      await withConflictAs('username or email is already taken', () =>
        db.insertInto('users').values(row).execute(),
      );
      return toUser(row);
    },

    async findById(id: string): Promise<User | undefined> {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    /** The account whose username or email matches, with its password hash. */
    async findForLogin(identifier: string): Promise<{ user: User; passwordHash: string } | undefined> {
      const key = loginKey(identifier);
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where((where) => where.or([where('usernameKey', '=', key), where('emailKey', '=', key)]))
        .orderBy('createdAt')
        .executeTakeFirst();
      return row && { user: toUser(row), passwordHash: row.passwordHash };
    },

    async passwordHashOf(id: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('users')
        .select('passwordHash')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.passwordHash;
    },

    async isUsernameTaken(username: string): Promise<boolean> {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where('usernameKey', '=', loginKey(username))
        .executeTakeFirst();
      return row !== undefined;
    },

    async list(page: { offset: number; limit: number }): Promise<{ users: User[]; total: number }> {
      const [rows, count] = await Promise.all([
        db
          .selectFrom('users')
          .selectAll()
          .orderBy('createdAt')
          .orderBy('id')
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
        db.selectFrom('users').select((select) => select.fn.countAll().as('total')).executeTakeFirstOrThrow(),
      ]);
      return { users: rows.map(toUser), total: Number(count.total) };
    },

    async countActiveAdmins(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((select) => select.fn.countAll().as('total'))
        .where('role', '=', 'admin')
        .where('isActive', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(row.total);
    },

    /**
     * Applies `patch` unless it takes away the last active admin: one statement whose condition
     * is "the row is not an active admin, or another active admin exists". On PostgreSQL the
     * condition locks every active admin row in id order first, so two admins demoting each
     * other wait in turn and the second sees the first's change (instead of both reading the
     * other as still admin); SQLite runs one writer at a time. False when nothing changed.
     */
    async updateUnlessLastAdmin(id: string, patch: Pick<UserPatch, 'role' | 'isActive' | 'permissionLevel' | 'passwordHash'>, now: string): Promise<boolean> {
      const values: Partial<UsersTable> = { updatedAt: now };
      if (patch.role !== undefined) values.role = patch.role;
      if (patch.isActive !== undefined) values.isActive = toFlag(patch.isActive);
      if (patch.permissionLevel !== undefined) values.permissionLevel = patch.permissionLevel;
      if (patch.passwordHash !== undefined) values.passwordHash = patch.passwordHash;
      const activeAdmins = db
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'admin')
        .where('isActive', '=', 1)
        .orderBy('id')
        .$if(locksRows(db), (query) => query.forNoKeyUpdate());
      // Counted with the target itself (more than one means another exists): a filter on the id
      // would be pushed into the locking query, and two such statements would each lock the
      // other's row first and deadlock.
      const allActiveAdmins = db.selectFrom(activeAdmins.as('admins')).select((select) => select.fn.countAll().as('total'));
      const result = await db
        .updateTable('users')
        .set(values)
        .where('id', '=', id)
        .where((where) =>
          where.or([where('role', '<>', 'admin'), where('isActive', '<>', 1), where(allActiveAdmins, '>', 1)]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async update(id: string, patch: UserPatch, now: string): Promise<User | undefined> {
      const values: Partial<UsersTable> = { updatedAt: now };
      if (patch.role !== undefined) values.role = patch.role;
      if (patch.permissionLevel !== undefined) values.permissionLevel = patch.permissionLevel;
      if (patch.isActive !== undefined) values.isActive = toFlag(patch.isActive);
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.passwordHash !== undefined) values.passwordHash = patch.passwordHash;
      if (patch.workspacePath !== undefined) values.workspacePath = patch.workspacePath;
      if (patch.email !== undefined) {
        values.email = patch.email;
        values.emailKey = patch.email === null ? null : loginKey(patch.email);
      }
      await withConflictAs('email is already taken', () =>
        db.updateTable('users').set(values).where('id', '=', id).execute(),
      );
      return this.findById(id);
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
