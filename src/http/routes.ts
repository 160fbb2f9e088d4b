import type { FastifyInstance } from 'fastify';
import type { AppDependencies } from '../dependencies.ts';
import { registerAdminUserRoutes } from './admin-users/admin-user-routes.ts';
import { registerApiKeyRoutes } from './api-keys/api-key-routes.ts';
import { registerAuthRoutes } from './auth/auth-routes.ts';
import { registerHealthRoutes } from './health/health-routes.ts';

/** Every route module, registered inside the authenticated context. */
export async function registerRoutes(app: FastifyInstance, dependencies: AppDependencies): Promise<void> {
  registerHealthRoutes(app, dependencies);
  registerAuthRoutes(app, dependencies);
  registerApiKeyRoutes(app, dependencies);
  registerAdminUserRoutes(app, dependencies);
}
