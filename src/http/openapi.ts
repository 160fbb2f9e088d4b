import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const serviceInfo = {
  name: 'Colloquy',
  version: '0.1.0',
  description: 'Self-hosted, multi-user LLM chat server',
} as const;

/** ReDoc is a large browser bundle; the page loads one pinned release instead of shipping it. */
const redocScript = 'https://cdn.jsdelivr.net/npm/redoc@2.5.2/bundles/redoc.standalone.js';

const redocPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${serviceInfo.name} API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/api/openapi.json"></redoc>
<script src="${redocScript}"></script></body>
</html>`;

/**
 * OpenAPI 3.1 built from the routes' zod schemas: JSON at /api/openapi.json, Swagger UI at
 * /api/docs and ReDoc at /api/redoc, in every environment. Must run before routes register.
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
  app.get('/api/redoc', { schema: { hide: true }, config: { auth: 'none' } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(redocPage),
  );
}
