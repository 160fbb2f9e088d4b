import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDependencies } from '../../dependencies.ts';
import { serviceInfo } from '../openapi.ts';

const tags = ['health'];

const healthSchema = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  timestamp: z.string(),
  services: z.object({ database: z.enum(['connected', 'disconnected']) }),
  version: z.string(),
});

const detailedHealthSchema = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  timestamp: z.string(),
  uptimeSeconds: z.number(),
  version: z.string(),
  checks: z.object({
    database: z.object({
      status: z.enum(['healthy', 'unhealthy']),
      dialect: z.enum(['sqlite', 'postgres']),
      responseTime: z.number().optional(),
      error: z.string().optional(),
    }),
  }),
});
const open = { auth: 'none' as const };

/** Luxx's and StellarByte's `/api/health`, LLMChat's `/health` and `/health/detailed`, Luxx's `/api/`. */
export function registerHealthRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { database } = dependencies;
  const startedAt = Date.now();

  async function databaseCheck() {
    try {
      const responseTime = await database.ping();
      return { status: 'healthy' as const, dialect: database.dialect, responseTime: Math.round(responseTime * 100) / 100 };
    } catch (error) {
      return { status: 'unhealthy' as const, dialect: database.dialect, error: (error as Error).message };
    }
  }

  routes.get(
    '/api/health',
    {
      config: open,
      schema: {
        tags,
        security: [],
        response: { 200: z.object({ status: z.literal('ok'), healthy: z.literal(true), message: z.string() }) },
      },
    },
    async () => ({ status: 'ok' as const, healthy: true as const, message: `${serviceInfo.name} API is running` }),
  );

  routes.get(
    '/health',
    {
      config: open,
      schema: {
        tags,
        security: [],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const check = await databaseCheck();
      const healthy = check.status === 'healthy';
      if (!healthy) reply.status(503);
      return {
        status: healthy ? ('healthy' as const) : ('unhealthy' as const),
        timestamp: new Date().toISOString(),
        services: { database: healthy ? ('connected' as const) : ('disconnected' as const) },
        version: serviceInfo.version,
      };
    },
  );

  routes.get(
    '/health/detailed',
    {
      config: open,
      schema: {
        tags,
        security: [],
        response: { 200: detailedHealthSchema, 503: detailedHealthSchema },
      },
    },
    async (_request, reply) => {
      const database = await databaseCheck();
      if (database.status !== 'healthy') reply.status(503);
      return {
        status: database.status,
        timestamp: new Date().toISOString(),
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        version: serviceInfo.version,
        checks: { database },
      };
    },
  );

  routes.get(
    '/api',
    {
      config: open,
      schema: {
        tags,
        security: [],
        response: { 200: z.object({ name: z.string(), version: z.string(), description: z.string(), docs: z.string() }) },
      },
    },
    async () => ({ ...serviceInfo, docs: '/api/docs' }),
  );
}
