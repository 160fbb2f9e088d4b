import { z } from 'zod';
import { passwordRules } from '../../auth/passwords.ts';
import { userViewSchema } from './user-view.ts';

const password = z.string().min(passwordRules.minLength).max(passwordRules.maxLength);
export const usernameSchema = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, _ . and -');

/** LLMChat sends {email,password,name}; Luxx sends {username,email,password}. Both work. */
export const registerBodySchema = z
  .object({
    username: usernameSchema.optional(),
    email: z.email().max(254).optional(),
    password,
    name: z.string().trim().min(1).max(100).optional(),
  })
  .refine((body) => body.username !== undefined || body.email !== undefined, {
    message: 'send a username or an email',
    path: ['username'],
  });

export const registerDataSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  createdAt: z.string(),
  user: userViewSchema,
});

/** Either field identifies the account: LLMChat sends `email`, Luxx and LLMChat's app `username`. */
export const loginBodySchema = z
  .object({
    email: z.string().trim().min(1).max(254).optional(),
    username: z.string().trim().min(1).max(254).optional(),
    password: z.string().min(1).max(passwordRules.maxLength),
  })
  .refine((body) => body.email !== undefined || body.username !== undefined, {
    message: 'send username or email',
    path: ['username'],
  });

export const tokenDataSchema = z.object({
  token: z.string(),
  access_token: z.string(),
  refreshToken: z.string(),
  refresh_token: z.string(),
  expiresIn: z.number().int(),
  expires_in: z.number().int(),
  token_type: z.literal('bearer'),
  /** LLMChat's web app types its login answer with `tokenType: 'Bearer'`. */
  tokenType: z.literal('Bearer'),
  user: userViewSchema,
});

export const refreshBodySchema = z
  .object({
    refreshToken: z.string().min(1).max(512).optional(),
    refresh_token: z.string().min(1).max(512).optional(),
  })
  // A POST without a body arrives as null.
  .nullish();

export const logoutBodySchema = refreshBodySchema;

const newPassword = z
  .string()
  .min(passwordRules.minLength, `must be at least ${passwordRules.minLength} characters`)
  .max(passwordRules.maxLength, `must be at most ${passwordRules.maxLength} characters`);
const currentPassword = z.string().min(1).max(passwordRules.maxLength);

/** API.md names `currentPassword`; LLMChat's web app sends `oldPassword`; snake_case spellings too. */
export const changePasswordBodySchema = z
  .object({
    currentPassword: currentPassword.optional(),
    current_password: currentPassword.optional(),
    oldPassword: currentPassword.optional(),
    old_password: currentPassword.optional(),
    newPassword: newPassword.optional(),
    new_password: newPassword.optional(),
  })
  .refine((body) => currentPasswordOf(body) !== undefined, {
    message: 'send currentPassword (or oldPassword)',
    path: ['currentPassword'],
  })
  .refine((body) => newPasswordOf(body) !== undefined, {
    message: `send newPassword (at least ${passwordRules.minLength} characters)`,
    path: ['newPassword'],
  })
  .refine((body) => currentPasswordOf(body) === undefined || currentPasswordOf(body) !== newPasswordOf(body), {
    message: 'must differ from the current password',
    path: ['newPassword'],
  });

type ChangePasswordFields = { currentPassword?: string; current_password?: string; oldPassword?: string; old_password?: string };

export const currentPasswordOf = (body: ChangePasswordFields): string | undefined =>
  body.currentPassword ?? body.current_password ?? body.oldPassword ?? body.old_password;

export const newPasswordOf = (body: { newPassword?: string; new_password?: string }): string | undefined => body.newPassword ?? body.new_password;
