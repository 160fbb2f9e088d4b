import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { validationError } from '../../errors/app-error.ts';
import type { ToolModule } from '../../tools/tool-module.ts';
import { envelopeSchema, success } from '../envelope.ts';
import { crawlPagesBodySchema, crawlPagesResultSchema, searchQueryBodySchema, searchQueryResultSchema } from './tool-schemas.ts';

const tags = ['tools'];

const errorTypeOf = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'FetchError';
};

/**
 * LobeChat's `tools.search` router (`query`, `crawlPages`) as REST, over the same search and
 * guarded page fetcher as the `web_search` and `batch_fetch` tools (both READ_ONLY).
 */
export function registerSearchRoutes(app: FastifyInstance, tools: ToolModule): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { search, fetchPage, settings } = tools.web;

  routes.post(
    '/api/search/query',
    {
      schema: {
        tags,
        summary: "LobeChat's tools.search.query: search the web (SearXNG, or DuckDuckGo)",
        body: searchQueryBodySchema,
        response: { 200: envelopeSchema(searchQueryResultSchema) },
      },
    },
    async (request) => {
      const started = Date.now();
      const answer = await search(request.body.query);
      const results = answer.results.map((result, index) => ({
        title: result.title,
        url: result.url,
        content: result.snippet,
        engines: [answer.engine],
        category: 'general',
        parsedUrl: new URL(result.url).hostname,
        // Engines return best first; LobeChat sorts by score.
        score: 1 / (index + 1),
      }));
      return success({ costTime: Date.now() - started, query: answer.query, resultNumbers: results.length, results });
    },
  );

  routes.post(
    '/api/search/crawl-pages',
    {
      schema: {
        tags,
        summary: "LobeChat's tools.search.crawlPages: read pages as markdown, through the guarded client",
        body: crawlPagesBodySchema,
        response: { 200: envelopeSchema(crawlPagesResultSchema) },
      },
    },
    async (request) => {
      const { urls } = request.body;
      if (urls.length > settings.fetchMaxUrls) {
        throw validationError(`at most ${settings.fetchMaxUrls} URLs per request (tools.fetchMaxUrls); you sent ${urls.length}`);
      }
      const settled = await Promise.allSettled(urls.map((url) => fetchPage(url, { format: 'markdown' })));
      const results = settled.map((outcome, index) => {
        const originalUrl = urls[index]!;
        if (outcome.status === 'rejected') {
          const message = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
          return { crawler: 'colloquy', originalUrl, data: { errorMessage: message, errorType: errorTypeOf(outcome.reason), url: originalUrl } };
        }
        const page = outcome.value;
        return {
          crawler: 'colloquy',
          originalUrl,
          data: {
            content: page.content, contentType: 'text' as const, title: page.title, url: page.finalUrl, length: page.content.length,
            ...(page.description ? { description: page.description } : {}),
            ...(page.siteName ? { siteName: page.siteName } : {}),
          },
        };
      });
      return success({ results });
    },
  );
}
