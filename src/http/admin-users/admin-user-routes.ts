import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDependencies } from '../../dependencies.ts';
import { contextOf } from '../auth-hook.ts';
import { userView, userViewSchema } from '../auth/user-view.ts';
import { envelopeSchema, pageOf, pageQuerySchema, paginated, success } from '../envelope.ts';
import { createUserBodySchema, updateUserBodySchema, userIdParamsSchema, userListSchema } from './admin-user-schemas.ts';

const tags = ['admin'];
const adminOnly = { auth: 'admin' as const };

/** Luxx's admin user management, in the envelope style. */
export function registerAdminUserRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { userAdmin } = dependencies.services;

  routes.get(
    '/api/auth/users',
    {
      config: adminOnly,
      schema: { tags, summary: 'List users (admin)', querystring: pageQuerySchema, response: { 200: envelopeSchema(userListSchema) } },
    },
    async (request) => {
      const page = pageOf(request.query);
      const { users, total } = await userAdmin.list(contextOf(request), page);
      const views = users.map(userView);
      return success({ users: views, ...paginated(views, total, page.page, page.limit) });
    },
  );

  routes.get(
    '/api/auth/users/:id',
    {
      config: adminOnly,
      schema: { tags, summary: 'One user (admin)', params: userIdParamsSchema, response: { 200: envelopeSchema(userViewSchema) } },
    },
    async (request) => success(userView(await userAdmin.get(contextOf(request), request.params.id))),
  );

  routes.post(
    '/api/auth/users',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Create a user, even when registration is closed (admin)',
        body: createUserBodySchema,
        response: { 200: envelopeSchema(userViewSchema) },
      },
    },
    async (request) => {
      const body = request.body;
      const user = await userAdmin.create(contextOf(request), {
        username: body.username,
        email: body.email,
        name: body.name,
        password: body.password,
        role: body.role,
        permissionLevel: body.permission_level ?? body.permissionLevel,
      });
      return success(userView(user), 'User created');
    },
  );

  routes.put(
    '/api/auth/users/:id',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: "Change a user's permission level, role, active state or password (admin)",
        description: 'Deactivating a user or resetting their password ends all of their login sessions.',
        params: userIdParamsSchema,
        body: updateUserBodySchema,
        response: { 200: envelopeSchema(userViewSchema) },
      },
    },
    async (request) => {
      const body = request.body;
      const user = await userAdmin.update(contextOf(request), request.params.id, {
        permissionLevel: body.permission_level ?? body.permissionLevel,
        role: body.role,
        isActive: body.is_active ?? body.isActive,
        password: body.password,
      });
      return success(userView(user), 'User updated');
    },
  );
}
