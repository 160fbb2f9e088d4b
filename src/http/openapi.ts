import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { serviceInfo } from '../service-info.ts';
import { registerRedocPage } from './redoc-page.ts';

export { serviceInfo };

/**
 * OpenAPI 3.1 built from the routes' zod schemas: JSON at /api/openapi.json, Swagger UI at
 * /api/docs and ReDoc at /api/redoc (both served from npm packages, so they work offline), in every environment. Must run before routes register.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `${serviceInfo.name} API`, version: serviceInfo.version, description: serviceInfo.description },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An access token from /api/auth/login, or an API key (sk-…)',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key (sk-…)' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.get('/api/openapi.json', { schema: { hide: true }, config: { auth: 'none' } }, async () => app.swagger());
  registerRedocPage(app);
}
