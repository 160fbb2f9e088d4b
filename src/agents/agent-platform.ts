import { validationError } from '../errors/app-error.ts';
import { acceptedProviderTypes, describeProviderType, type ProviderTypeInfo, type WireFormat } from '../providers/provider-types.ts';
import { createSecretRedactor } from '../providers/secret-redaction.ts';

/**
 * The remote app or server an agent's own endpoint names, as LLMChat's admin form describes it:
 * `provider` is a platform (`fastgpt`, `dify`, `openai`, `anthropic`, `custom`) or any Colloquy
 * provider type or preset; `endpoint` is a base URL or the full chat URL people copy from the
 * platform's docs.
 */
export interface AgentPlatform {
  info: ProviderTypeInfo;
  /** The API root the provider adapters expect (chat paths removed, no trailing slash). */
  baseUrl: string;
}

/** LLMChat calls any OpenAI-compatible server `custom`. */
const platformAliases: Record<string, string> = { custom: 'openai-compatible' };

export function platformTypeOf(provider: string): ProviderTypeInfo {
  const wanted = provider.trim().toLowerCase();
  const info = describeProviderType(platformAliases[wanted] ?? wanted);
  if (!info) {
    throw validationError(
      `provider ${JSON.stringify(provider.slice(0, 100))} is not a platform an agent can call; use fastgpt, dify, openai, anthropic, custom ` +
        `(any OpenAI-compatible server) or one of ${acceptedProviderTypes.join(', ')}`,
    );
  }
  return info;
}

/** Chat paths people paste with the endpoint, per wire format; the adapters add them back. */
const chatSuffixes: Partial<Record<WireFormat, readonly string[]>> = {
  'openai-compatible': ['/chat/completions'],
  ollama: ['/chat/completions'],
  fastgpt: ['/chat/completions'],
  dify: ['/chat-messages', '/completion-messages', '/workflows/run'],
  anthropic: ['/messages'],
};

const quoted = (value: string): string => JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);

/** An absolute http(s) URL without credentials, query or fragment, and without its chat path. */
export function platformBaseUrl(info: ProviderTypeInfo, endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw validationError(`endpoint ${quoted(endpoint)} is not a valid URL; expected e.g. https://api.dify.ai/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw validationError('endpoint must be an http or https URL');
  if (url.username || url.password) throw validationError('endpoint must not contain credentials; send the key as apiKey');
  if (url.search || url.hash) throw validationError('endpoint must not contain a query string or fragment');
  let base = url.toString().replace(/\/+$/, '');
  for (const suffix of chatSuffixes[info.wireFormat] ?? []) {
    if (base.toLowerCase().endsWith(suffix)) {
      base = base.slice(0, -suffix.length);
      break;
    }
  }
  return base;
}

export function platformOf(provider: string, endpoint: string): AgentPlatform {
  const info = platformTypeOf(provider);
  return { info, baseUrl: platformBaseUrl(info, endpoint) };
}

/** FastGPT documents `…/api` as its OpenAPI root; the chat adapter also accepts `…/api/v1`. */
export function fastGptRoot(baseUrl: string): string {
  return baseUrl.replace(/\/v1$/, '');
}

/** Never echo a key back, even when a remote repeats it in an error message (whole, in part, or another credential). */
export function scrubSecret(text: string, secret: string | undefined): string {
  return createSecretRedactor([secret])(text);
}
