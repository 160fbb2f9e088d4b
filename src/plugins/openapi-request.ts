import { PluginGatewayError } from './plugin-gateway-error.ts';
import type { PluginSettings } from './plugin-settings-service.ts';

/** The argument key LobeChat's OpenAPI convertor puts an operation's request body under. */
export const requestBodyKey = '_requestBody';

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

type Json = Record<string, any>;

export interface BuiltRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

function findOperation(document: Json, operationId: string) {
  for (const [path, item] of Object.entries<Json>(document.paths ?? {})) {
    for (const method of methods) {
      const operation = item?.[method];
      if (operation?.operationId === operationId) return { path, method, operation: operation as Json, item };
    }
  }
  throw new PluginGatewayError('PluginApiNotFound', `the OpenAPI document has no operation ${operationId}`);
}

/** A local `#/components/...` reference resolved; remote references are not followed. */
function resolveReference(document: Json, value: Json): Json {
  const reference = value?.$ref;
  if (typeof reference !== 'string') return value;
  if (!reference.startsWith('#/')) throw new PluginGatewayError('PluginOpenApiInitError', `only local $ref are supported (${reference.slice(0, 100)})`);
  let node: any = document;
  for (const part of reference.slice(2).split('/')) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (!node) throw new PluginGatewayError('PluginOpenApiInitError', `unresolved $ref ${reference.slice(0, 100)}`);
  return node as Json;
}

/** The base URL: `servers[0].url` (OpenAPI 3) or scheme + host + basePath (Swagger 2), against where the document came from. */
function baseUrlOf(document: Json, documentUrl: string | undefined): string {
  let base: string | undefined;
  if (Array.isArray(document.servers) && typeof document.servers[0]?.url === 'string') base = document.servers[0].url;
  else if (typeof document.host === 'string') base = `${document.schemes?.[0] ?? 'https'}://${document.host}${document.basePath ?? ''}`;
  try {
    return new URL(base ?? '/', documentUrl).href;
  } catch {
    throw new PluginGatewayError('PluginOpenApiInitError', 'the OpenAPI document has no absolute server URL');
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Applies the operation's security schemes from the user's settings, keyed by scheme name (as LobeChat does). */
function applySecurity(document: Json, operation: Json, settings: PluginSettings, request: BuiltRequest): void {
  const requirements: Json[] = operation.security ?? document.security ?? [];
  const schemes: Json = document.components?.securitySchemes ?? document.securityDefinitions ?? {};
  for (const requirement of requirements) {
    for (const name of Object.keys(requirement)) {
      const value = settings[name];
      const scheme = schemes[name];
      if (value === undefined || !scheme) continue;
      const secret = String(value);
      if (scheme.type === 'apiKey' && scheme.in === 'query') request.url.searchParams.set(scheme.name, secret);
      else if (scheme.type === 'apiKey' && scheme.in === 'cookie') request.headers.cookie = `${scheme.name}=${encodeURIComponent(secret)}`;
      else if (scheme.type === 'apiKey') request.headers[String(scheme.name).toLowerCase()] = secret;
      else if ((scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'basic') || scheme.type === 'basic') {
        request.headers.authorization = `Basic ${Buffer.from(secret).toString('base64')}`;
      } else request.headers.authorization = `Bearer ${secret}`;
    }
  }
}

/**
 * The HTTP request for one operation of a plugin's OpenAPI document: path, query and header
 * parameters from the arguments, `_requestBody` as the JSON body, and credentials from the
 * user's settings per the security schemes. Where it may go is for the guarded client to decide.
 */
export function buildOpenApiRequest(
  document: Json,
  documentUrl: string | undefined,
  operationId: string,
  args: Record<string, unknown>,
  settings: PluginSettings,
): BuiltRequest {
  const { path, method, operation, item } = findOperation(document, operationId);
  const { [requestBodyKey]: requestBody, ...values } = args;
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((parameter: Json) => resolveReference(document, parameter));
  let resolvedPath = path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = { accept: 'application/json, text/plain, */*' };
  for (const parameter of parameters) {
    const value = values[parameter.name];
    if (value === undefined) {
      if (parameter.required) throw new PluginGatewayError('PluginApiParamsError', `argument ${parameter.name} is required`);
      continue;
    }
    if (parameter.in === 'path') resolvedPath = resolvedPath.replaceAll(`{${parameter.name}}`, encodeURIComponent(text(value)));
    else if (parameter.in === 'query') for (const entry of Array.isArray(value) ? value : [value]) query.append(parameter.name, text(entry));
    else if (parameter.in === 'header') headers[String(parameter.name).toLowerCase()] = text(value);
  }
  if (/\{[^}]+\}/.test(resolvedPath)) throw new PluginGatewayError('PluginApiParamsError', `the path ${path} needs arguments that were not given`);
  const base = baseUrlOf(document, documentUrl);
  const url = new URL(`${base.replace(/\/+$/, '')}${resolvedPath}`);
  for (const [name, value] of query) url.searchParams.append(name, value);
  const request: BuiltRequest = { url, method: method.toUpperCase(), headers };
  if (requestBody !== undefined || (operation.requestBody && !['GET', 'HEAD'].includes(request.method))) {
    request.body = JSON.stringify(requestBody ?? {});
    request.headers['content-type'] = 'application/json';
  }
  applySecurity(document, operation, settings, request);
  return request;
}
