import type { AppDependencies } from '../dependencies.ts';
import { permissionLevels } from '../auth/permissions.ts';
import { AppError } from '../errors/app-error.ts';

export interface AdminAccount {
  username: string;
  email?: string;
  password: string;
}

/** Creates an admin account (the CLI's `create-admin`); fails with CONFLICT if the name is taken. */
export async function createAdmin(dependencies: AppDependencies, account: AdminAccount) {
  return dependencies.services.auth.register(
    { username: account.username, email: account.email, password: account.password },
    undefined,
    { role: 'admin', permissionLevel: permissionLevels.ADMIN, bypassPolicy: true },
  );
}

/** At start, creates the admin named in the settings unless that username already exists. */
export async function ensureConfiguredAdmin(dependencies: AppDependencies): Promise<string | undefined> {
  const { username, email, password } = dependencies.config.admin;
  if (!username || !password) return undefined;
  if (await dependencies.repositories.users.isUsernameTaken(username)) return undefined;
  try {
    await createAdmin(dependencies, { username, email, password });
    return username;
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT') return undefined;
    throw error;
  }
}
