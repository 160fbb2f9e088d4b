import { AppError, validationError } from '../errors/app-error.ts';
import { isOutboundTimeout } from '../net/outbound-errors.ts';
import { fetchUpstreamModels } from '../providers/model-catalog.ts';
import type { ProviderConnection } from '../providers/provider-connection.ts';
import { fastGptRoot, scrubSecret, type AgentPlatform } from './agent-platform.ts';

/**
 * What `POST /api/agents/fetch-info` reads from a remote app, for LLMChat's admin form: the
 * form's fields (unknown ones are null, never guessed) plus what each platform exposes.
 * - Dify: `GET /info` (name, description, mode) and `GET /parameters` (opening statement,
 *   input form, file upload). Dify does not say which model an app uses: `model` is the label
 *   Colloquy gives Dify apps, `dify-app`.
 * - FastGPT: `GET /api/core/chat/init?appId=` (name, intro, the app's chat models, welcome text,
 *   variables, file selection). FastGPT's app keys need the app's id for this call.
 * - Any other type (OpenAI-compatible, Anthropic, Google, Ollama): the model list.
 */
export interface RemoteAgentInfo {
  /** The provider type the agent will be stored with (`custom` becomes `openai-compatible`). */
  provider: string;
  /** The API root the agent will call (a pasted chat path removed). */
  endpoint: string;
  name: string | null;
  description: string | null;
  model: string | null;
  models: string[];
  systemPrompt: string | null;
  temperature: number | null;
  maxTokens: number | null;
  capabilities: string[];
  /** LLMChat's feature switches (`supportsStream`, `supportsFiles`, …), as far as the remote says. */
  features: Record<string, boolean>;
  welcomeText: string | null;
  /** The app's input variables (Dify's `user_input_form`, FastGPT's `chatConfig.variables`), as sent. */
  variables: unknown[];
  /** Dify's app mode (`chat`, `advanced-chat`, `agent-chat`, `workflow`, `completion`) or FastGPT's app type. */
  mode: string | null;
}

export interface FetchInfoTarget extends AgentPlatform {
  apiKey: string | undefined;
  appId: string | undefined;
}

const timeoutMs = 20_000;
type Json = Record<string, unknown>;

const object = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const enabled = (value: unknown): boolean => object(value).enabled === true;

function remoteMessage(body: string, key: string | undefined): string {
  let message = body;
  try {
    const parsed = object(JSON.parse(body));
    message = text(parsed.message) ?? text(object(parsed.error).message) ?? text(parsed.error) ?? text(parsed.statusText) ?? body;
  } catch {
    // Not JSON: the body itself, shortened.
  }
  const clean = scrubSecret(message.replace(/\s+/g, ' ').trim(), key);
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean || '(empty body)';
}

/** A remote's refusal as our error: the caller's input (key, endpoint, appId) is 400, the remote failing 502. */
function statusError(platform: string, status: number, message: string, endpoint: string): AppError {
  if (status === 401) return validationError(`${platform} refused the apiKey (HTTP 401: ${message}); check the key`);
  if (status === 403) return validationError(`${platform} refused access (HTTP 403: ${message}); check the apiKey and the appId`);
  if (status === 404) {
    return validationError(`${platform} answered 404 (${message}); check the endpoint ${endpoint} and the appId`);
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return validationError(`${platform} refused the request (HTTP ${status}: ${message})`);
  }
  return new AppError('PROVIDER_ERROR', `${platform} failed (HTTP ${status}: ${message})`);
}

function transportError(platform: string, error: unknown, key: string | undefined): AppError {
  if (error instanceof AppError) return error;
  if (isOutboundTimeout(error) || (error instanceof Error && error.name === 'TimeoutError')) {
    return new AppError('PROVIDER_TIMEOUT', `${platform} did not answer within ${timeoutMs / 1000} s`);
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return new AppError('PROVIDER_ERROR', `could not reach ${platform}${scrubSecret(cause, key)}`);
}

async function getJson(fetch: typeof globalThis.fetch, platform: string, url: string, target: FetchInfoTarget): Promise<Json> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw transportError(platform, error, target.apiKey);
  }
  const body = await response.text().catch((error: unknown) => {
    throw transportError(platform, error, target.apiKey);
  });
  if (!response.ok) throw statusError(platform, response.status, remoteMessage(body, target.apiKey), target.baseUrl);
  try {
    return object(JSON.parse(body));
  } catch {
    throw new AppError('PROVIDER_ERROR', `${platform} answered something that is not JSON; check the endpoint ${target.baseUrl}`);
  }
}

function blank(target: FetchInfoTarget): RemoteAgentInfo {
  return {
    provider: target.info.type, endpoint: target.baseUrl, name: null, description: null, model: null, models: [],
    systemPrompt: null, temperature: null, maxTokens: null, capabilities: ['chat'], features: { supportsStream: true },
    welcomeText: null, variables: [], mode: null,
  };
}

async function difyInfo(fetch: typeof globalThis.fetch, target: FetchInfoTarget): Promise<RemoteAgentInfo> {
  const info = await getJson(fetch, 'Dify', `${target.baseUrl}/info`, target);
  // Parameters only add detail; an older Dify without them still names the app.
  const parameters = await getJson(fetch, 'Dify', `${target.baseUrl}/parameters`, target).catch(() => ({}) as Json);
  const upload = object(parameters.file_upload);
  const files = enabled(upload) || enabled(upload.image);
  const extras: [string, boolean][] = [
    ['file_upload', files],
    ['speech_to_text', enabled(parameters.speech_to_text)],
    ['text_to_speech', enabled(parameters.text_to_speech)],
    ['suggested_questions', enabled(parameters.suggested_questions_after_answer)],
    ['knowledge_retrieval', enabled(parameters.retriever_resource)],
  ];
  return {
    ...blank(target),
    name: text(info.name),
    description: text(info.description),
    model: 'dify-app',
    models: ['dify-app'],
    capabilities: ['chat', ...extras.filter(([, on]) => on).map(([name]) => name)],
    features: { supportsChatId: true, supportsStream: true, supportsFiles: files, supportsImages: enabled(upload.image) || enabled(upload) },
    welcomeText: text(parameters.opening_statement),
    variables: Array.isArray(parameters.user_input_form) ? parameters.user_input_form : [],
    mode: text(info.mode),
  };
}

async function fastGptInfo(fetch: typeof globalThis.fetch, target: FetchInfoTarget): Promise<RemoteAgentInfo> {
  if (!target.appId) throw validationError("appId is required for FastGPT: the app's id, shown in its address (…/app/detail?appId=…)");
  const url = `${fastGptRoot(target.baseUrl)}/core/chat/init?appId=${encodeURIComponent(target.appId)}`;
  const body = await getJson(fetch, 'FastGPT', url, target);
  // FastGPT may answer HTTP 200 with its own error code in the body.
  if (typeof body.code === 'number' && body.code !== 200) {
    throw statusError('FastGPT', body.code, remoteMessage(JSON.stringify(body), target.apiKey), target.baseUrl);
  }
  const app = object(object(body.data).app);
  const chatConfig = object(app.chatConfig);
  const fileSelect = object(chatConfig.fileSelectConfig);
  const models = Array.isArray(app.chatModels) ? app.chatModels.filter((model): model is string => typeof model === 'string') : [];
  const files = fileSelect.canSelectFile === true;
  const images = fileSelect.canSelectImg === true;
  return {
    ...blank(target),
    name: text(app.name),
    description: text(app.intro),
    model: models[0] ?? 'fastgpt-app',
    models,
    capabilities: ['chat', ...(files ? ['file_upload'] : []), ...(images ? ['image_upload'] : [])],
    features: { supportsChatId: true, supportsStream: true, supportsDetail: true, supportsFiles: files, supportsImages: images },
    welcomeText: text(chatConfig.welcomeText),
    variables: Array.isArray(chatConfig.variables) ? chatConfig.variables : [],
    mode: text(app.type),
  };
}

/** Any other type: its model list, through the catalog every provider uses, with the remote's status kept. */
async function modelListInfo(fetch: typeof globalThis.fetch, target: FetchInfoTarget): Promise<RemoteAgentInfo> {
  const connection: ProviderConnection = {
    id: 'fetch-info', name: target.info.displayName, type: target.info.type, wireFormat: target.info.wireFormat,
    isSystem: false, baseUrl: target.baseUrl, apiKey: target.apiKey, settings: {},
  };
  let failed: { status: number; body: string } | undefined;
  const capturing: typeof globalThis.fetch = async (input, init) => {
    const response = await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) failed = { status: response.status, body: await response.clone().text() };
    return response;
  };
  try {
    const models = (await fetchUpstreamModels(connection, capturing)).map((model) => model.id);
    return { ...blank(target), models };
  } catch (error) {
    if (failed) throw statusError(connection.name, failed.status, remoteMessage(failed.body, target.apiKey), target.baseUrl);
    if (error instanceof AppError && error.code === 'PROVIDER_ERROR') {
      throw new AppError('PROVIDER_ERROR', scrubSecret(error.message, target.apiKey));
    }
    throw transportError(connection.name, error, target.apiKey);
  }
}

/** Asks the remote app what it is; every failure is a 4xx (the caller's input) or 502/504 (the remote). */
export function fetchRemoteAgentInfo(fetch: typeof globalThis.fetch, target: FetchInfoTarget): Promise<RemoteAgentInfo> {
  switch (target.info.wireFormat) {
    case 'dify':
      return difyInfo(fetch, target);
    case 'fastgpt':
      return fastGptInfo(fetch, target);
    case 'azure':
      throw validationError('Azure OpenAI resources list their deployments only through the Azure management API; enter the deployment as the model');
    default:
      return modelListInfo(fetch, target);
  }
}
