import { z } from 'zod';
import { permissionLevels } from '../../auth/permissions.ts';
import type { DiagnosticLog } from '../../diagnostics.ts';
import type { GuardedHttpClient } from '../../net/guarded-http-client.ts';
import { parseToolInput, toolInputSchema } from '../tool-input.ts';
import type { ToolDefinition } from '../tool-registry.ts';
import { createPageFetcher, type FetchedPage, type PageFetcher } from './page-fetcher.ts';
import { createWebSearcher, type WebSearcher } from './web-searcher.ts';

export interface WebToolSettings {
  searxngUrl?: string;
  duckduckgoUrl: string;
  searchMaxResults: number;
  fetchMaxBytes: number;
  fetchTimeoutMs: number;
  fetchMaxUrls: number;
  fetchMaxChars: number;
}

export interface WebTools {
  tools: ToolDefinition[];
  /** Also used by LobeChat's search routes. */
  search: WebSearcher;
  fetchPage: PageFetcher;
  settings: WebToolSettings;
}

const formatSchema = z.enum(['markdown', 'text']).default('markdown').describe('markdown (default) keeps headings, lists and links; text is plain');

const pageView = (page: FetchedPage) => ({
  url: page.url,
  final_url: page.finalUrl,
  status: page.status,
  content_type: page.contentType,
  title: page.title,
  ...(page.description ? { description: page.description } : {}),
  content: page.content,
  truncated: page.truncated,
});

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `web_search`, `web_fetch` and `batch_fetch`: Luxx's crawler tools, READ_ONLY as in its table. */
export function createWebTools(
  http: Pick<GuardedHttpClient, 'fetchWith'>,
  settings: WebToolSettings,
  log: Pick<DiagnosticLog, 'warn'>,
): WebTools {
  const search = createWebSearcher(
    http,
    {
      searxngUrl: settings.searxngUrl,
      duckduckgoUrl: settings.duckduckgoUrl,
      maxResults: settings.searchMaxResults,
      timeoutMs: settings.fetchTimeoutMs,
      maxBytes: settings.fetchMaxBytes,
    },
    log,
  );
  const fetchPage = createPageFetcher(http, {
    maxBytes: settings.fetchMaxBytes,
    timeoutMs: settings.fetchTimeoutMs,
    maxChars: settings.fetchMaxChars,
  });

  const searchInput = z
    .object({
      query: z.string().trim().min(1).max(500).describe('Search query'),
      max_results: z.number().int().min(1).max(settings.searchMaxResults).optional().describe('How many results (default and most: the server setting)'),
    })
    .strict();
  const fetchInput = z.object({ url: z.string().min(1).max(4096).describe('An absolute http(s) URL'), format: formatSchema }).strict();
  const batchInput = z
    .object({
      urls: z.array(z.string().min(1).max(4096)).min(1).max(settings.fetchMaxUrls).describe(`At most ${settings.fetchMaxUrls} absolute http(s) URLs`),
      format: formatSchema,
    })
    .strict();

  const webSearch: ToolDefinition = {
    name: 'web_search',
    description: 'Search the web (SearXNG, or DuckDuckGo). Returns {title, url, snippet} results.',
    category: 'crawler',
    permissionLevel: permissionLevels.READ_ONLY,
    inputSchema: toolInputSchema(searchInput),
    async execute(input, context) {
      const { query, max_results: maxResults } = parseToolInput('web_search', searchInput, input);
      const answer = await search(query, { maxResults, signal: context.signal });
      return { output: JSON.stringify(answer), isError: false };
    },
  };

  const webFetch: ToolDefinition = {
    name: 'web_fetch',
    description: 'Fetch a web page and return its readable text as markdown or plain text (HTML, plain text and JSON pages).',
    category: 'crawler',
    permissionLevel: permissionLevels.READ_ONLY,
    inputSchema: toolInputSchema(fetchInput),
    async execute(input, context) {
      const { url, format } = parseToolInput('web_fetch', fetchInput, input);
      const page = await fetchPage(url, { format, signal: context.signal });
      return { output: JSON.stringify(pageView(page)), isError: false };
    },
  };

  const batchFetch: ToolDefinition = {
    name: 'batch_fetch',
    description: `Fetch up to ${settings.fetchMaxUrls} web pages at once; each result has the page's readable text or an error.`,
    category: 'crawler',
    permissionLevel: permissionLevels.READ_ONLY,
    inputSchema: toolInputSchema(batchInput),
    async execute(input, context) {
      const { urls, format } = parseToolInput('batch_fetch', batchInput, input);
      const settled = await Promise.allSettled(urls.map((url) => fetchPage(url, { format, signal: context.signal })));
      context.signal.throwIfAborted();
      const results = settled.map((outcome, index) =>
        outcome.status === 'fulfilled' ? pageView(outcome.value) : { url: urls[index]!, error: errorMessage(outcome.reason) },
      );
      const failed = results.filter((result) => 'error' in result).length;
      return { output: JSON.stringify({ results, fetched: results.length - failed, failed }), isError: failed === results.length };
    },
  };

  return { tools: [webSearch, webFetch, batchFetch], search, fetchPage, settings };
}
