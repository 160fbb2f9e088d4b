import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PluginGatewayError } from '../../plugins/plugin-gateway-error.ts';
import { pluginRequestSchema, pluginSettingsHeader } from '../../plugins/plugin-gateway.ts';
import type { PluginModule } from '../../plugins/plugin-module.ts';
import type { PluginSettings } from '../../plugins/plugin-settings-service.ts';
import type { StoredPluginSettings } from '../../plugins/plugin-settings-repository.ts';
import { contextOf, principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, errorEnvelopeSchema, success } from '../envelope.ts';

const settingValue = z.union([z.string().max(8192), z.number(), z.boolean()]);
const settingsSchema = z.record(z.string().min(1).max(100), settingValue);
const identifierParams = z.object({
  identifier: z.string().regex(/^[a-zA-Z0-9._@-]{1,200}$/, 'identifier: use letters, digits, ., _, @ or -'),
});
const settingsViewSchema = z.object({
  identifier: z.string(),
  settings: z.record(z.string(), settingValue).describe('Text values masked'),
  created_at: z.string(),
  updated_at: z.string(),
});
const pluginErrorSchema = z.object({
  errorType: z.string().describe("LobeChat's plugin error type"),
  body: z.object({ message: z.string() }).loose(),
});
const errorAnswer = z.union([pluginErrorSchema, errorEnvelopeSchema]);

const settingsView = (stored: StoredPluginSettings) => ({
  identifier: stored.identifier,
  settings: stored.settingHints as PluginSettings,
  created_at: stored.createdAt,
  updated_at: stored.updatedAt,
});

/** The `X-Lobe-Plugin-Settings` header: JSON of an object, as LobeChat sends it. */
function headerSettings(value: string | string[] | undefined): PluginSettings {
  if (value === undefined) return {};
  const parsed = settingsSchema.safeParse((() => {
    try {
      return JSON.parse(Array.isArray(value) ? value[0]! : value) as unknown;
    } catch {
      return undefined;
    }
  })());
  if (!parsed.success) throw new PluginGatewayError('PluginSettingsInvalid', `${pluginSettingsHeader} must be JSON of an object of text, number or boolean values`);
  return parsed.data;
}

/** LobeChat's plugin gateway, and your plugin settings (sealed at rest, masked when shown). */
export function registerPluginRoutes(app: FastifyInstance, plugins: PluginModule): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['plugins'];

  routes.post(
    '/webapi/plugin/gateway',
    {
      schema: {
        tags,
        summary: "LobeChat's plugin gateway: run one API of a plugin manifest with your settings; answers the plugin API's body",
        body: pluginRequestSchema,
        produces: ['text/plain'],
        response: { 200: z.string(), 403: errorAnswer, 404: errorAnswer, 422: errorAnswer, 490: errorAnswer, 500: errorAnswer, 502: errorAnswer, 504: errorAnswer },
      },
    },
    async (request, reply) => {
      try {
        const settings = headerSettings(request.headers[pluginSettingsHeader]);
        const body = await plugins.gateway.execute(principalOf(request).user.id, request.body, settings);
        return reply.type('text/plain; charset=utf-8').send(body);
      } catch (error) {
        if (!(error instanceof PluginGatewayError)) throw error;
        return reply.code(error.status as 403).send({ errorType: error.errorType, body: error.body });
      }
    },
  );

  routes.get(
    '/api/plugins/settings',
    {
      schema: { tags, summary: 'Your settings of every plugin (text values masked)', response: { 200: envelopeSchema(z.object({ settings: z.array(settingsViewSchema), total: z.number().int() })) } },
    },
    async (request) => {
      const list = (await plugins.settings.list(contextOf(request))).map(settingsView);
      return success({ settings: list, total: list.length });
    },
  );

  routes.get(
    '/api/plugins/:identifier/settings',
    { schema: { tags, summary: "Your settings of one plugin (text values masked)", params: identifierParams, response: { 200: envelopeSchema(settingsViewSchema) } } },
    async (request) => success(settingsView(await plugins.settings.get(contextOf(request), request.params.identifier))),
  );

  routes.put(
    '/api/plugins/:identifier/settings',
    {
      schema: {
        tags,
        summary: "Replace your settings of one plugin; a value sent back masked keeps the stored one. The gateway applies them (the request's X-Lobe-Plugin-Settings wins)",
        params: identifierParams,
        body: z.object({ settings: settingsSchema }),
        response: { 200: envelopeSchema(settingsViewSchema) },
      },
    },
    async (request) =>
      success(settingsView(await plugins.settings.put(contextOf(request), request.params.identifier, request.body.settings)), 'Plugin settings saved'),
  );

  routes.delete(
    '/api/plugins/:identifier/settings',
    { schema: { tags, summary: 'Delete your settings of one plugin', params: identifierParams, response: { 200: emptyEnvelopeSchema } } },
    async (request) => {
      await plugins.settings.delete(contextOf(request), request.params.identifier);
      return success(null, 'Plugin settings deleted');
    },
  );
}
