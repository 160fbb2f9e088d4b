import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ProviderModule } from '../../providers/provider-module.ts';
import { contextOf, principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, success } from '../envelope.ts';
import {
  createProviderBodySchema,
  providerInputOf,
  providerParamsSchema,
  providerTestResultSchema,
  testProviderBodySchema,
  updateProviderBodySchema,
} from './provider-schemas.ts';
import { providerView, providerViewSchema } from './provider-view.ts';

const tags = ['providers'];

/** Luxx's `/api/providers`: your own LLM providers plus the system ones every user can use. */
export function registerProviderRoutes(app: FastifyInstance, providers: ProviderModule): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { service, models } = providers;

  routes.get(
    '/api/providers',
    {
      schema: {
        tags,
        summary: 'List your providers and the system providers',
        response: { 200: envelopeSchema(z.object({ providers: z.array(providerViewSchema), total: z.number().int() })) },
      },
    },
    async (request) => {
      const list = (await service.list(contextOf(request))).map(providerView);
      return success({ providers: list, total: list.length });
    },
  );

  routes.post(
    '/api/providers',
    {
      schema: {
        tags,
        summary: 'Add a provider; admins may add a system provider with is_system: true',
        body: createProviderBodySchema,
        response: { 200: envelopeSchema(providerViewSchema) },
      },
    },
    async (request) => {
      const { is_system: isSystem, ...body } = request.body;
      // On create, null means "not given"; dropping nulls lets defaults apply.
      const given = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null)) as typeof body;
      const created = await service.create(contextOf(request), providerInputOf(given), { isSystem });
      return success(providerView(created), 'Provider created');
    },
  );

  routes.get(
    '/api/providers/:id',
    {
      schema: {
        tags,
        summary: 'One provider',
        params: providerParamsSchema,
        response: { 200: envelopeSchema(providerViewSchema) },
      },
    },
    async (request) => success(providerView(await service.get(contextOf(request), request.params.id))),
  );

  routes.put(
    '/api/providers/:id',
    {
      schema: {
        tags,
        summary: 'Change a provider; absent fields keep their value, null clears one, a masked api_key keeps the key',
        params: providerParamsSchema,
        body: updateProviderBodySchema,
        response: { 200: envelopeSchema(providerViewSchema) },
      },
    },
    async (request) => {
      const updated = await service.update(contextOf(request), request.params.id, providerInputOf(request.body));
      return success(providerView(updated), 'Provider updated');
    },
  );

  routes.delete(
    '/api/providers/:id',
    {
      schema: {
        tags,
        summary: 'Delete a provider',
        params: providerParamsSchema,
        response: { 200: emptyEnvelopeSchema },
      },
    },
    async (request) => {
      await service.delete(contextOf(request), request.params.id);
      return success(null, 'Provider deleted');
    },
  );

  routes.post(
    '/api/providers/:id/test',
    {
      schema: {
        tags,
        summary: 'Send the provider a one-token request (or a model list request) and report the upstream answer',
        params: providerParamsSchema,
        body: testProviderBodySchema,
        response: { 200: envelopeSchema(providerTestResultSchema) },
      },
    },
    async (request) => {
      const result = await models.test(principalOf(request), request.params.id, request.body?.model);
      return success(
        { status_code: result.statusCode, success: result.success, response_body: result.responseBody },
        result.message,
      );
    },
  );
}
