import { z } from 'zod';
import type { User } from '../../storage/repositories/users-repository.ts';

/** A user as every seed's client reads it: Luxx's snake_case fields plus LLMChat's createdAt. */
export const userViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  role: z.enum(['user', 'admin']),
  permission_level: z.number().int(),
  workspace_path: z.string().nullable(),
  is_active: z.boolean(),
  is_guest: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  createdAt: z.string(),
});

export type UserView = z.infer<typeof userViewSchema>;

export function userView(user: User): UserView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    name: user.name,
    role: user.role,
    permission_level: user.permissionLevel,
    workspace_path: user.workspacePath,
    is_active: user.isActive,
    is_guest: user.isGuest,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    createdAt: user.createdAt,
  };
}
