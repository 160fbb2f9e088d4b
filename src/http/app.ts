import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { safeParse, type $ZodType } from 'zod/v4/core';
import type { AppDependencies } from '../dependencies.ts';
import { registerAuthHook } from './auth-hook.ts';
import { registerErrorHandling } from './error-handler.ts';
import { registerOpenApi } from './openapi.ts';
import { registerRoutes } from './routes.ts';

export type App = FastifyInstance;

const incomingRequestId = /^[A-Za-z0-9._:-]{1,128}$/;


/**
 * Responses are written with plain JSON.stringify. With `validateResponses` (tests) each body is
 * also checked against its documented schema, so the OpenAPI document cannot drift from reality,
 * yet the bytes sent are the same in both modes.
 */
function serializerCompilerFor(validate: boolean) {
  return ({ schema, method, url }: { schema: unknown; method: string; url: string }) =>
    (data: unknown) => {
      if (validate) {
        const result = safeParse(schema as $ZodType, data);
        if (!result.success) {
          const issues = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
          throw new Error(`response of ${method} ${url} does not match its schema: ${issues}`);
        }
      }
      return JSON.stringify(data);
    };
}

function corsOrigin(origins: string[]): boolean | string | string[] {
  if (origins.length === 0) return false;
  if (origins.includes('*')) return '*';
  return origins;
}

export async function buildApp(dependencies: AppDependencies): Promise<App> {
  const { config } = dependencies;
  const serverOptions: FastifyServerOptions = {
    // The process's logger, built before the dependencies (see src/logger.ts).
    loggerInstance: dependencies.logger,
    bodyLimit: config.server.bodyLimit,
    trustProxy: config.server.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && incomingRequestId.test(incoming) ? incoming : randomUUID();
    },
  };
  const app = Fastify(serverOptions).withTypeProvider<ZodTypeProvider>();
  // An empty body sent as JSON is no body: many fetch wrappers label every request JSON, DELETEs
  // included. Fastify's own parser (prototype-poisoning checks included) reads everything else.
  const jsonParser = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    return jsonParser(request, body as string, done);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompilerFor(config.validateResponses));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(cors, {
    origin: corsOrigin(config.cors.origins),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
  registerErrorHandling(app);
  await registerOpenApi(app);
  await app.register(async (api) => {
    registerAuthHook(api, dependencies.services.authenticator);
    await registerRoutes(api, dependencies);
  });
  return app;
}
