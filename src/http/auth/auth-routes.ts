import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TokenPair } from '../../auth/auth-service.ts';
import { AppError } from '../../errors/app-error.ts';
import type { AppDependencies } from '../../dependencies.ts';
import { contextOf, principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, success } from '../envelope.ts';
import {
  changePasswordBodySchema,
  currentPasswordOf,
  loginBodySchema,
  newPasswordOf,
  logoutBodySchema,
  refreshBodySchema,
  registerBodySchema,
  registerDataSchema,
  tokenDataSchema,
} from './auth-schemas.ts';
import { userView, userViewSchema } from './user-view.ts';

const tags = ['auth'];

function tokenData(pair: TokenPair) {
  return {
    token: pair.accessToken,
    access_token: pair.accessToken,
    refreshToken: pair.refreshToken,
    refresh_token: pair.refreshToken,
    expiresIn: pair.expiresIn,
    expires_in: pair.expiresIn,
    token_type: 'bearer' as const,
    tokenType: 'Bearer' as const,
    user: userView(pair.user),
  };
}

/** LLMChat sends the refresh token as `Authorization: Bearer`; others send it in the body. */
function refreshTokenOf(request: FastifyRequest, body: { refreshToken?: string; refresh_token?: string } | null | undefined) {
  const fromBody = body?.refreshToken ?? body?.refresh_token;
  if (fromBody) return fromBody;
  const match = /^Bearer\s+(rt_\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

export function registerAuthRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { auth } = dependencies.services;

  routes.post(
    '/api/auth/register',
    {
      config: { auth: 'optional' },
      schema: {
        tags,
        summary: 'Create an account (LLMChat and Luxx bodies both accepted)',
        body: registerBodySchema,
        response: { 200: envelopeSchema(registerDataSchema) },
      },
    },
    async (request) => {
      const user = await auth.register(request.body, contextOf(request));
      const view = userView(user);
      return success(
        { id: user.id, username: user.username, email: user.email, name: user.name, createdAt: user.createdAt, user: view },
        'Registration successful',
      );
    },
  );

  routes.post(
    '/api/auth/login',
    {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'Log in by username or email',
        security: [],
        body: loginBodySchema,
        response: { 200: envelopeSchema(tokenDataSchema) },
      },
    },
    async (request) => {
      const identifier = (request.body.username ?? request.body.email)!;
      const pair = await auth.login(identifier, request.body.password, contextOf(request));
      return success(tokenData(pair), 'Login successful');
    },
  );

  routes.post(
    '/api/auth/refresh',
    {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'Exchange a refresh token for new tokens (rotates it)',
        security: [],
        body: refreshBodySchema,
        response: { 200: envelopeSchema(tokenDataSchema) },
      },
    },
    async (request) => {
      const refreshToken = refreshTokenOf(request, request.body);
      if (!refreshToken) throw new AppError('VALIDATION_ERROR', 'send refreshToken in the body or as Authorization: Bearer');
      return success(tokenData(await auth.refresh(refreshToken, contextOf(request))), 'Token refreshed');
    },
  );

  routes.post(
    '/api/auth/logout',
    {
      config: { auth: 'optional' },
      schema: { tags, summary: 'End the current login session', body: logoutBodySchema, response: { 200: emptyEnvelopeSchema } },
    },
    async (request) => {
      const refreshToken = refreshTokenOf(request, request.body);
      if (!request.principal && !refreshToken) throw new AppError('UNAUTHORIZED', 'authentication required');
      await auth.logout(contextOf(request), refreshToken);
      return success(null, 'Logout successful');
    },
  );

  routes.get(
    '/api/auth/me',
    { schema: { tags, summary: 'The current user', response: { 200: envelopeSchema(userViewSchema) } } },
    async (request) => success(userView(principalOf(request).user)),
  );

  routes.post(
    '/api/auth/change-password',
    {
      schema: {
        tags,
        summary: 'Change the password; every other login session is revoked',
        description:
          'Body `{currentPassword, newPassword}` (`oldPassword`, as LLMChat\'s web app sends it, also works). A wrong current password ' +
          'answers 400, not 401: the caller is still logged in, and LLMChat\'s web app logs out on any 401. The new password needs at ' +
          'least 8 characters and must differ from the current one. The refresh tokens of every other login session stop working.',
        body: changePasswordBodySchema,
        response: { 200: envelopeSchema(z.object({ revokedSessions: z.number().int() })) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (principal.credential !== 'access_token') {
        throw new AppError('FORBIDDEN', 'log in with a password to change it; API keys cannot');
      }
      const body = request.body;
      const result = await auth.changePassword(contextOf(request), currentPasswordOf(body)!, newPasswordOf(body)!);
      return success(result, 'Password changed');
    },
  );
}
