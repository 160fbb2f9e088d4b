import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDependencies } from '../../dependencies.ts';
import { contextOf } from '../auth-hook.ts';
import {
  apiKeyIdParamsSchema,
  apiKeyListSchema,
  apiKeySchema,
  apiKeyView,
  bareErrorSchema,
  changedApiKeySchema,
  createApiKeyBodySchema,
  createdApiKeySchema,
  deletedApiKeySchema,
  updateApiKeyBodySchema,
} from './api-key-schemas.ts';

const tags = ['api-keys'];
const errors = { 400: bareErrorSchema, 401: bareErrorSchema, 404: bareErrorSchema };

/**
 * Clients differ in how they call the body-less state changes: some send
 * `Content-Type: application/json` with nothing after it. In this scope an empty JSON body
 * counts as no body instead of a 400; everything else parses as usual.
 */
function acceptEmptyJsonBodies(scope: FastifyInstance): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string' guarantees a string
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
}

/**
 * StellarChat's `/api/api-keys`: bare JSON bodies (no envelope), errors as `{detail, code}`.
 * Its web app calls these without credentials: creating a key then makes a guest account
 * (while registration is open), listing answers an empty list, and changes answer 401 JSON.
 */
export function registerApiKeyRoutes(app: FastifyInstance, dependencies: AppDependencies): void {
  const { apiKeys } = dependencies.services;

  app.register(async (scope) => {
    acceptEmptyJsonBodies(scope);
    const routes = scope.withTypeProvider<ZodTypeProvider>();

    routes.post(
      '/api/api-keys',
      {
        // Anonymous callers are StellarChat's web app: a guest account is made for them (below).
        config: { auth: 'optional' },
        schema: {
          tags,
          summary: 'Create an API key; the full secret is in this response only',
          description:
            'Signed in, the key is yours. Without credentials, while registration is open, a guest account (no password; ' +
            'the key is its only credential) is created to own the key, limited per IP address; with registration closed the answer is 401.',
          body: createApiKeyBodySchema,
          response: { 200: createdApiKeySchema, ...errors, 429: bareErrorSchema, 503: bareErrorSchema },
        },
      },
      async (request) => {
        const body = request.body;
        const keyRequest = { name: body.name, permissionLevel: body.permission_level ?? body.permissionLevel };
        const context = contextOf(request);
        const { key, secret } = context.principal
          ? await apiKeys.create(context, keyRequest)
          : await dependencies.services.guests.mintKey(context, keyRequest);
        return { ...apiKeyView(key), key: secret };
      },
    );

    routes.get(
      '/api/api-keys',
      {
        config: { auth: 'optional' },
        schema: {
          tags,
          summary: "The caller's API keys, masked, in `data`; an empty list without credentials",
          response: { 200: apiKeyListSchema, 401: bareErrorSchema },
        },
      },
      async (request) => ({ data: request.principal ? (await apiKeys.list(contextOf(request))).map(apiKeyView) : [] }),
    );

    routes.get(
      '/api/api-keys/:id',
      { schema: { tags, summary: 'One API key, masked', params: apiKeyIdParamsSchema, response: { 200: apiKeySchema, ...errors } } },
      async (request) => apiKeyView(await apiKeys.get(contextOf(request), request.params.id)),
    );

    for (const method of ['PUT', 'PATCH'] as const) {
      routes.route({
        method,
        url: '/api/api-keys/:id',
        schema: {
          tags,
          summary: 'Rename an API key (or set is_active)',
          params: apiKeyIdParamsSchema,
          body: updateApiKeyBodySchema,
          response: { 200: apiKeySchema, ...errors },
        },
        handler: async (request) => {
          const context = contextOf(request);
          const { id } = request.params;
          const { name } = request.body;
          const isActive = request.body.is_active ?? request.body.isActive;
          let key = name === undefined ? undefined : await apiKeys.rename(context, id, name);
          if (isActive !== undefined) key = await apiKeys.setActive(context, id, isActive);
          return apiKeyView(key!);
        },
      });
    }

    for (const [action, isActive] of [['deactivate', false], ['activate', true]] as const) {
      routes.route({
        // Clients differ in the verb they use for these.
        method: ['POST', 'PUT', 'PATCH'],
        url: `/api/api-keys/:id/${action}`,
        schema: {
          tags,
          summary: isActive ? 'Activate an API key' : 'Deactivate an API key; it stops working at once',
          params: apiKeyIdParamsSchema,
          response: { 200: changedApiKeySchema, ...errors },
        },
        handler: async (request) => ({
          ...apiKeyView(await apiKeys.setActive(contextOf(request), request.params.id, isActive)),
          message: isActive ? 'API key activated' : 'API key deactivated',
        }),
      });
    }

    routes.delete(
      '/api/api-keys/:id',
      {
        schema: {
          tags,
          summary: 'Delete an API key (answers JSON, never a bare 204)',
          params: apiKeyIdParamsSchema,
          response: { 200: deletedApiKeySchema, ...errors },
        },
      },
      async (request) => {
        await apiKeys.delete(contextOf(request), request.params.id);
        return { message: 'API key deleted', id: request.params.id };
      },
    );
  });
}
