import {
  FormData as UndiciFormData,
  fetch as undiciFetch,
  type Dispatcher,
  type RequestInit as UndiciRequestInit,
} from 'undici';
import type { HostAllowList } from './host-allow-list.ts';
import { parseIpAddress } from './ip-address.ts';
import { reasonToRefuseAddress } from './ip-rules.ts';
import { toLimitedResponse } from './limited-response.ts';
import {
  displayUrl,
  networkError,
  outboundBlocked,
  refusedConnectionError,
  refusedConnectionOf,
} from './outbound-errors.ts';
import { nextHopRequest, redirectStatuses, type HopRequest } from './redirect-hop.ts';

/** Everything one bound fetch enforces. */
export interface FetchPolicy {
  allowList: HostAllowList;
  /** The dispatcher whose connector enforces `allowList` (checks host names after DNS). */
  dispatcher: Dispatcher;
  maxResponseBytes: number;
  maxRedirects: number;
}

const normalisedMethods = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/**
 * A fetch that refuses what the policy forbids before any connection is made, follows redirects
 * itself so every hop is checked again, and caps the response body. Host names are checked at
 * connect time by the dispatcher's connector, after DNS; this function checks the rest (scheme,
 * IP literals, redirect count).
 */
export function createGuardedFetch(policy: FetchPolicy): typeof globalThis.fetch {
  return async function guardedFetch(input, init) {
    const request = input instanceof Request ? input : undefined;
    let url = parseUrl(request ? request.url : input instanceof URL ? input.href : String(input));
    const redirectMode = init?.redirect ?? request?.redirect ?? 'follow';
    const signal = init?.signal ?? request?.signal;
    let hop: HopRequest = {
      method: normaliseMethod(init?.method ?? request?.method ?? 'GET'),
      headers: init?.headers ?? request?.headers,
      body: init?.body !== undefined ? init.body : request?.body,
    };
    const firstUrl = url;
    for (let redirectCount = 0; ; redirectCount++) {
      assertAllowedTarget(url, firstUrl, policy.allowList);
      let upstream;
      try {
        upstream = await undiciFetch(url, {
          ...(init as UndiciRequestInit | undefined),
          method: hop.method,
          headers: hop.headers as UndiciRequestInit['headers'],
          body: toUndiciBody(hop.body),
          // undici insists on this for stream bodies; it is the only mode Node supports.
          ...(isStream(hop.body) ? { duplex: 'half' as const } : {}),
          signal: signal as UndiciRequestInit['signal'],
          redirect: 'manual',
          dispatcher: policy.dispatcher,
        });
      } catch (error) {
        const refusal = refusedConnectionOf(error);
        throw refusal ? refusedConnectionError(refusal, describeHop(url, firstUrl)) : error;
      }
      const location = upstream.headers.get('location');
      if (redirectMode === 'manual' || !redirectStatuses.has(upstream.status) || location === null) {
        return toLimitedResponse(upstream, {
          maxBytes: policy.maxResponseBytes,
          url,
          redirected: redirectCount > 0,
        });
      }
      void upstream.body?.cancel().catch(() => undefined);
      if (redirectMode === 'error') throw networkError(`unexpected redirect from ${describeHop(url, firstUrl)}`);
      if (redirectCount >= policy.maxRedirects) {
        throw outboundBlocked(`too many redirects (more than ${policy.maxRedirects}) from ${displayUrl(firstUrl)}`);
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw networkError(`invalid redirect location from ${describeHop(url, firstUrl)}`);
      }
      const nextHop = nextHopRequest(upstream.status, hop, url, next);
      if (typeof nextHop === 'string') throw networkError(`${nextHop} (from ${describeHop(url, firstUrl)})`);
      hop = nextHop;
      url = next;
    }
  };
}

/** Refuses, with no connection made, a scheme other than http(s) or a forbidden IP literal host. */
export function assertAllowedTarget(url: URL, firstUrl: URL, allowList: HostAllowList): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw outboundBlocked(`refused to fetch ${describeHop(url, firstUrl)}: only http: and https: URLs are allowed`);
  }
  const address = parseIpAddress(url.hostname);
  if (!address) return;
  const reason = reasonToRefuseAddress(address);
  if (reason !== undefined && !allowList.allowsAddress(address)) {
    throw refusedConnectionError({ address: url.hostname.replace(/^\[|\]$/g, ''), reason }, describeHop(url, firstUrl));
  }
}

/** A hop's URL as errors show it, with where the redirects started. */
function describeHop(url: URL, firstUrl: URL): string {
  return url === firstUrl ? displayUrl(url) : `${displayUrl(url)} (redirected from ${displayUrl(firstUrl)})`;
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    // Not 'fetch failed': a malformed URL is not a connection problem worth retrying. No cause
    // either, since the parser's error quotes the whole input, query string and all.
    throw new TypeError('invalid URL');
  }
}

function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return normalisedMethods.has(upper) ? upper : method;
}

/**
 * undici only recognises its own FormData class and would send the global one as the text
 * "[object FormData]"; the AI SDK uploads (transcription, files) with the global one.
 */
function toUndiciBody(body: BodyInit | null | undefined): UndiciRequestInit['body'] {
  if (!(body instanceof FormData) || (body as unknown) instanceof UndiciFormData) return body as UndiciRequestInit['body'];
  const copy = new UndiciFormData();
  for (const [name, value] of body) {
    if (typeof value === 'string') copy.append(name, value);
    else copy.append(name, value, value.name);
  }
  return copy;
}

function isStream(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as ReadableStream).getReader === 'function';
}
