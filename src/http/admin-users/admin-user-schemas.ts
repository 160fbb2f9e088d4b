import { z } from 'zod';
import { passwordRules } from '../../auth/passwords.ts';
import { usernameSchema } from '../auth/auth-schemas.ts';
import { paginatedSchema } from '../envelope.ts';
import { userViewSchema } from '../auth/user-view.ts';

const permissionLevel = z.number().int().min(1).max(4);
const role = z.enum(['user', 'admin']);
const password = z.string().min(passwordRules.minLength).max(passwordRules.maxLength);

export const userIdParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** Luxx sends `{permission_level}`; camelCase spellings are accepted too. */
export const updateUserBodySchema = z
  .object({
    permission_level: permissionLevel.optional(),
    permissionLevel: permissionLevel.optional(),
    role: role.optional(),
    is_active: z.boolean().optional(),
    isActive: z.boolean().optional(),
    password: password.optional(),
  })
  .refine(
    (body) =>
      [body.permission_level, body.permissionLevel, body.role, body.is_active, body.isActive, body.password].some(
        (value) => value !== undefined,
      ),
    { message: 'send at least one of permission_level, role, is_active, password', path: ['permission_level'] },
  );

export const createUserBodySchema = z
  .object({
    username: usernameSchema.optional(),
    email: z.email().max(254).optional(),
    name: z.string().trim().min(1).max(100).optional(),
    password,
    role: role.optional(),
    permission_level: permissionLevel.optional(),
    permissionLevel: permissionLevel.optional(),
  })
  .refine((body) => body.username !== undefined || body.email !== undefined, {
    message: 'send a username or an email',
    path: ['username'],
  });

export const userListSchema = paginatedSchema(userViewSchema).extend({ users: z.array(userViewSchema) });
