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

export const changePasswordBodySchema = z
  .object({
    currentPassword: z.string().min(1).max(passwordRules.maxLength).optional(),
    current_password: z.string().min(1).max(passwordRules.maxLength).optional(),
    newPassword: password.optional(),
    new_password: password.optional(),
  })
  .refine((body) => (body.currentPassword ?? body.current_password) !== undefined, {
    message: 'send currentPassword',
    path: ['currentPassword'],
  })
  .refine((body) => (body.newPassword ?? body.new_password) !== undefined, {
    message: `send newPassword (at least ${passwordRules.minLength} characters)`,
    path: ['newPassword'],
  });
