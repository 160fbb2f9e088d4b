import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { GuardedHttpClient } from '../net/guarded-http-client.ts';
import { isOutboundTimeout } from '../net/guarded-http-client.ts';
import { buildOpenApiRequest, type BuiltRequest } from './openapi-request.ts';
import { PluginGatewayError } from './plugin-gateway-error.ts';
import type { PluginSettings } from './plugin-settings-service.ts';

/** LobeChat's PluginRequestPayload. */
export const pluginRequestSchema = z.object({
  apiName: z.string().min(1).max(200),
  arguments: z.string().max(1024 * 1024).optional().describe('JSON text of the arguments'),
  identifier: z.string().min(1).max(200),
  manifest: z.record(z.string(), z.unknown()).optional().describe("The plugin's manifest; required (no market index is fetched)"),
  indexUrl: z.string().max(2048).optional(),
  type: z.string().max(50).optional(),
});
export type PluginRequest = z.infer<typeof pluginRequestSchema>;

const manifestSchema = z.looseObject({
  identifier: z.string().optional(),
  api: z.array(z.looseObject({ name: z.string(), url: z.string().optional(), parameters: z.unknown().optional() })),
  openapi: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  settings: z.looseObject({ required: z.array(z.string()).optional() }).optional(),
});

/** The LobeChat settings header: JSON of the plugin's settings. */
export const pluginSettingsHeader = 'x-lobe-plugin-settings';

export interface PluginGatewayDependencies {
  http: Pick<GuardedHttpClient, 'fetchWith'>;
  settingsFor(userId: string, identifier: string): Promise<PluginSettings>;
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * LobeChat's plugin gateway: runs one API of a plugin manifest with the user's settings. An
 * OpenAPI plugin's operation is resolved from its document (inline, or fetched); any other
 * plugin's API URL gets a JSON POST with the settings header. Every request goes through the
 * guarded client with no extra allowed hosts, under a size and time cap.
 */
export function createPluginGateway(dependencies: PluginGatewayDependencies) {
  const guardedFetch = dependencies.http.fetchWith({ maxResponseBytes: dependencies.maxResponseBytes, headersTimeoutMs: dependencies.timeoutMs });

  async function send(request: BuiltRequest, signal: AbortSignal): Promise<Response> {
    try {
      return await guardedFetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal });
    } catch (error) {
      throw asGatewayError(error, signal);
    }
  }

  async function readText(response: Response, signal: AbortSignal): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw asGatewayError(error, signal);
    }
  }

  async function openApiDocument(openapi: string | Record<string, unknown>, signal: AbortSignal) {
    if (typeof openapi !== 'string') return { document: openapi, documentUrl: undefined };
    let url: URL;
    try {
      url = new URL(openapi);
    } catch {
      throw new PluginGatewayError('PluginOpenApiInitError', 'manifest.openapi must be an absolute URL or an inline document');
    }
    const response = await send({ url, method: 'GET', headers: { accept: 'application/json, application/yaml, text/yaml' } }, signal);
    const body = await readText(response, signal);
    if (!response.ok) throw new PluginGatewayError('PluginOpenApiInitError', `fetching the OpenAPI document answered ${response.status}`);
    try {
      return { document: parseYaml(body) as Record<string, unknown>, documentUrl: url.href };
    } catch {
      throw new PluginGatewayError('PluginOpenApiInitError', 'the OpenAPI document is neither JSON nor YAML');
    }
  }

  return {
    async execute(userId: string, payload: PluginRequest, headerSettings: PluginSettings, outerSignal?: AbortSignal): Promise<string> {
      if (!payload.manifest) {
        throw new PluginGatewayError('PluginManifestNotFound', 'send the plugin manifest with the request; this gateway does not fetch market indexes');
      }
      const parsed = manifestSchema.safeParse(payload.manifest);
      if (!parsed.success) throw new PluginGatewayError('PluginManifestInvalid', 'the plugin manifest is invalid', { issues: parsed.error.issues.slice(0, 10) });
      const manifest = parsed.data;
      const settings = { ...(await dependencies.settingsFor(userId, payload.identifier)), ...headerSettings };
      const missing = (manifest.settings?.required ?? []).filter((name) => settings[name] === undefined || settings[name] === '');
      if (missing.length > 0) throw new PluginGatewayError('PluginSettingsInvalid', `the plugin needs the settings ${missing.join(', ')}`);
      const api = manifest.api.find((entry) => entry.name === payload.apiName);
      if (!api) throw new PluginGatewayError('PluginApiNotFound', `the manifest has no API named ${payload.apiName}`);
      let args: unknown;
      try {
        args = payload.arguments && payload.arguments.trim() !== '' ? JSON.parse(payload.arguments) : {};
      } catch {
        throw new PluginGatewayError('PluginApiParamsError', 'arguments must be JSON text of an object');
      }
      if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new PluginGatewayError('PluginApiParamsError', 'arguments must be a JSON object');

      const signal = outerSignal ? AbortSignal.any([outerSignal, AbortSignal.timeout(dependencies.timeoutMs)]) : AbortSignal.timeout(dependencies.timeoutMs);
      let request: BuiltRequest;
      if (manifest.openapi) {
        const { document, documentUrl } = await openApiDocument(manifest.openapi, signal);
        request = buildOpenApiRequest(document, documentUrl, payload.apiName, args as Record<string, unknown>, settings);
      } else {
        if (!api.url) throw new PluginGatewayError('PluginApiParamsError', `API ${api.name} has no url`);
        let url: URL;
        try {
          url = new URL(api.url);
        } catch {
          throw new PluginGatewayError('PluginManifestInvalid', `API ${api.name} has an invalid url`);
        }
        request = {
          url, method: 'POST', body: payload.arguments ?? '{}',
          headers: { 'content-type': 'application/json', [pluginSettingsHeader]: JSON.stringify(settings) },
        };
      }
      const response = await send(request, signal);
      const body = await readText(response, signal);
      if (response.status === 401) throw new PluginGatewayError('PluginSettingsInvalid', 'the plugin API refused the credentials in your settings');
      if (!response.ok) throw new PluginGatewayError('PluginServerError', `the plugin API answered ${response.status}`, { status: response.status, body: body.slice(0, 2000) });
      return body;
    },
  };
}

function asGatewayError(error: unknown, signal: AbortSignal): PluginGatewayError {
  if (error instanceof PluginGatewayError) return error;
  if (error instanceof AppError) return new PluginGatewayError('PluginGatewayError', error.message, { code: error.code }, error.status);
  if (signal.aborted || isOutboundTimeout(error)) return new PluginGatewayError('PluginGatewayError', 'the plugin API did not answer in time', { code: 'TIMEOUT' }, 504);
  return new PluginGatewayError('PluginGatewayError', 'the plugin API could not be reached', { code: 'NETWORK_ERROR' }, 502);
}
