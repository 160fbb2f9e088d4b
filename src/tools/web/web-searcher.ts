import { serviceInfo } from '../../service-info.ts';
import { AppError } from '../../errors/app-error.ts';
import type { DiagnosticLog } from '../../diagnostics.ts';
import type { GuardedHttpClient } from '../../net/guarded-http-client.ts';
import { outboundFailure } from './page-fetcher.ts';
import {
  duckduckgoSearchUrl,
  parseDuckduckgoResults,
  parseSearxngResults,
  searxngSearchUrl,
  type SearchResult,
} from './search-engines.ts';

export interface WebSearchSettings {
  searxngUrl?: string;
  duckduckgoUrl: string;
  maxResults: number;
  timeoutMs: number;
  maxBytes: number;
}

export interface WebSearchAnswer {
  query: string;
  /** Which engine answered. */
  engine: 'searxng' | 'duckduckgo';
  results: SearchResult[];
}

export type WebSearcher = (query: string, options?: { maxResults?: number; signal?: AbortSignal }) => Promise<WebSearchAnswer>;

/**
 * Searches through SearXNG when one is configured, else (or when it fails) through DuckDuckGo's
 * keyless HTML page. Both go through the guarded client; the operator chose these hosts, so they
 * may be private (a SearXNG on the LAN), but their redirects are checked like any other.
 */
export function createWebSearcher(
  http: Pick<GuardedHttpClient, 'fetchWith'>,
  settings: WebSearchSettings,
  log: Pick<DiagnosticLog, 'warn'>,
): WebSearcher {
  const fetchFrom = (baseUrl: string) =>
    http.fetchWith({ maxResponseBytes: settings.maxBytes, headersTimeoutMs: settings.timeoutMs, extraAllowedHosts: [new URL(baseUrl).hostname] });

  async function get(fetcher: typeof globalThis.fetch, url: URL, accept: string, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    try {
      const response = await fetcher(url, {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        headers: { accept, 'user-agent': serviceInfo.webUserAgent },
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new AppError('TOOL_UPSTREAM_ERROR', `the search engine at ${url.origin} answered HTTP ${response.status}`);
      }
      return response;
    } catch (error) {
      throw outboundFailure(error, url.origin, settings.timeoutMs, signal);
    }
  }

  async function searxng(baseUrl: string, query: string, signal?: AbortSignal): Promise<SearchResult[]> {
    const response = await get(fetchFrom(baseUrl), searxngSearchUrl(baseUrl, query), 'application/json', signal);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw outboundFailure(error, 'SearXNG', settings.timeoutMs, signal);
    }
    return parseSearxngResults(body);
  }

  async function duckduckgo(query: string, signal?: AbortSignal): Promise<SearchResult[]> {
    const url = duckduckgoSearchUrl(settings.duckduckgoUrl, query);
    const response = await get(fetchFrom(settings.duckduckgoUrl), url, 'text/html', signal);
    return await parseDuckduckgoResults(await response.text());
  }

  return async (query, options = {}) => {
    const limit = Math.min(options.maxResults ?? settings.maxResults, settings.maxResults);
    if (settings.searxngUrl) {
      try {
        return { query, engine: 'searxng', results: (await searxng(settings.searxngUrl, query, options.signal)).slice(0, limit) };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        log.warn({ err: error }, 'SearXNG search failed; falling back to DuckDuckGo');
      }
    }
    return { query, engine: 'duckduckgo', results: (await duckduckgo(query, options.signal)).slice(0, limit) };
  };
}
