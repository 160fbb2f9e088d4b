import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ProviderModule } from '../../providers/provider-module.ts';
import { principalOf } from '../auth-hook.ts';

const tags = ['models'];

const providerParamsSchema = z.object({
  provider: z.string().trim().min(1).max(256).describe('A provider id, or a type or preset name (ollama, deepseek, …)'),
});

/** LobeChat's ChatModelCard, its core fields. */
const modelCardSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  enabled: z.literal(true),
  contextWindowTokens: z.number().int().optional(),
});

const pullBodySchema = z.object({
  model: z.string().trim().min(1).max(200),
  insecure: z.boolean().optional().describe('Accepted for LobeChat and ignored: pulls never allow insecure registries'),
});

/** One NDJSON line of pull progress, as Ollama writes it; failures end with status "error". */
const pullProgressSchema = z
  .unknown()
  .describe(
    'application/x-ndjson: one JSON object per line, as Ollama sends them ({status, digest?, total?, completed?}), ' +
      'ending with {"status":"success"} or {"status":"error","error":"…"}',
  );

/** LobeChat's RESTful model routes: list a provider's models, pull an Ollama model. */
export function registerWebapiModelRoutes(app: FastifyInstance, providers: ProviderModule): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { models } = providers;

  routes.get(
    '/webapi/models/:provider',
    {
      schema: {
        tags,
        summary: "A provider's models as LobeChat model cards (bare JSON array); the configured list when the upstream cannot list",
        params: providerParamsSchema,
        response: { 200: z.array(modelCardSchema) },
      },
    },
    async (request) => models.listModels(principalOf(request).user.id, request.params.provider),
  );

  routes.post(
    '/webapi/models/:provider/pull',
    {
      schema: {
        tags,
        summary: 'Pull a model into an Ollama provider, streaming its progress lines',
        produces: ['application/x-ndjson'],
        params: providerParamsSchema,
        body: pullBodySchema,
        response: { 200: pullProgressSchema },
      },
    },
    async (request, reply) => {
      const controller = new AbortController();
      // The client hanging up before the end stops the pull's upstream request too.
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) controller.abort();
      });
      const lines = await models.pull(principalOf(request).user.id, request.params.provider, request.body.model, controller.signal);
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-accel-buffering', 'no')
        .send(Readable.from(lines, { objectMode: false }));
    },
  );
}
