import type { ProviderSettings } from '../storage/repositories/providers-repository.ts';
import type { GuardedRequest } from '../net/guarded-request.ts';
import type { WireFormat } from './provider-types.ts';
import { createSecretRedactor, type SecretRedactor } from './secret-redaction.ts';

/** The options of the guarded HTTP client (src/net) that providers use. */
export interface OutboundFetchOptions {
  /** Hosts allowed on top of the operator's allow-list, even when private (system providers only). */
  extraAllowedHosts?: string[];
  maxResponseBytes?: number;
  headersTimeoutMs?: number;
  maxRedirects?: number;
}

/**
 * The slice of the guarded HTTP client this module needs. Every upstream call goes through it:
 * it refuses private and loopback targets unless allowed, checks every redirect and caps sizes
 * and times, throwing AppError('OUTBOUND_BLOCKED') for a refused target.
 */
export interface OutboundHttp {
  fetchWith(options: OutboundFetchOptions): typeof globalThis.fetch;
  /** The lean byte-relaying request (src/net); absent in test stand-ins, which then take the fetch path. */
  requestWith?(options: Omit<OutboundFetchOptions, 'maxRedirects'>): GuardedRequest;
}

/** What an upstream call needs: where, how, and the provider's own key (never another's). */
export interface ProviderConnection {
  id: string;
  name: string;
  /** The stored `provider_type` (a base type or a preset name). */
  type: string;
  wireFormat: WireFormat;
  /** System providers' URLs were chosen by the operator, so their hosts are allowed even when private. */
  isSystem: boolean;
  baseUrl: string | null;
  /** The provider's own key; undefined means send no credential at all. */
  apiKey: string | undefined;
  settings: ProviderSettings;
}

/** Headers that carry credentials in any of the wire formats. */
const credentialHeaders = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key'];

function withoutCredentials(guardedFetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    for (const name of credentialHeaders) headers.delete(name);
    return guardedFetch(input, { ...init, headers });
  };
}

/**
 * Error answers come back with the key masked, before any adapter reads them: several
 * OpenAI-compatible services echo the key they were sent (`Incorrect API key provided: Bearer
 * sk-…`), and the AI SDK copies the body into its error's message and `responseBody`, which
 * reach events, stored messages and logs. Success bodies pass untouched (their mid-stream error
 * events are masked where they are read).
 */
function withRedactedErrors(guardedFetch: typeof globalThis.fetch, redact: SecretRedactor): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await guardedFetch(input, init);
    if (response.ok) return response;
    const body = redact(await response.text().catch(() => ''));
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(response.status === 204 || response.status === 304 ? null : body, {
      status: response.status, statusText: redact(response.statusText), headers,
    });
  };
}

/** The host of a URL as an allow-list entry (IPv6 literals without their brackets). */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/**
 * The fetch a provider's upstream calls use. A system provider may reach its own host even if it
 * is private (the operator chose it, e.g. a LAN Ollama); a user's provider gets only the
 * operator's allow-list. A provider without a key sends no credential header whatsoever, so a
 * key the AI SDK might find elsewhere can never reach a user's URL.
 */
export function fetchFor(
  http: OutboundHttp,
  connection: ProviderConnection,
  options: Omit<OutboundFetchOptions, 'extraAllowedHosts'> = {},
): typeof globalThis.fetch {
  const host = connection.isSystem && connection.baseUrl ? hostOf(connection.baseUrl) : undefined;
  const fetch = withRedactedErrors(
    http.fetchWith({ ...options, ...(host ? { extraAllowedHosts: [host] } : {}) }),
    createSecretRedactor([connection.apiKey]),
  );
  return connection.apiKey ? fetch : withoutCredentials(fetch);
}

/** The byte-relaying request for a provider's upstream, under the same host rules as `fetchFor`. */
export function requestFor(http: OutboundHttp, connection: ProviderConnection): GuardedRequest | undefined {
  const host = connection.isSystem && connection.baseUrl ? hostOf(connection.baseUrl) : undefined;
  return http.requestWith?.(host ? { extraAllowedHosts: [host] } : {});
}

/** Ollama's own API root, from a base URL given with or without its OpenAI-compatible `/v1`. */
export function ollamaRootOf(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/(v1|api)$/, '');
}
