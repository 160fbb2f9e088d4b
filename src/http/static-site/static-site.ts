import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { sendError } from '../error-handler.ts';
import { cacheControlOf, contentTypeOf, etagOf, findStaticFile, resolveWebRoot, safeSegments, type StaticFile } from './static-files.ts';

/** Paths the web app never answers, so an unknown API path keeps its JSON 404 (the OpenAPI UI is `/api/docs`). */
export const reservedPrefixes = ['/api', '/v1', '/ws', '/health', '/webapi', '/docs'] as const;

export function isReservedPath(urlPath: string): boolean {
  const lower = urlPath.toLowerCase();
  return reservedPrefixes.some((prefix) => lower === prefix || lower.startsWith(`${prefix}/`));
}

function notFound(request: FastifyRequest, reply: FastifyReply, urlPath: string): FastifyReply {
  return sendError(request, reply, new AppError('NOT_FOUND', `no route for ${request.method} ${urlPath}`));
}

/** `If-None-Match` wins over `If-Modified-Since` (RFC 9110 §13.2.2). */
function isNotModified(request: FastifyRequest, file: StaticFile, etag: string): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string') {
    return ifNoneMatch.split(',').some((tag) => {
      const trimmed = tag.trim();
      return trimmed === '*' || trimmed.replace(/^W\//, '') === etag.replace(/^W\//, '');
    });
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  const since = typeof ifModifiedSince === 'string' ? Date.parse(ifModifiedSince) : Number.NaN;
  // HTTP dates have whole seconds.
  return !Number.isNaN(since) && Math.floor(file.stats.mtimeMs / 1000) * 1000 <= since;
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  const etag = etagOf(file.stats);
  reply
    .header('etag', etag)
    .header('last-modified', file.stats.mtime.toUTCString())
    .header('cache-control', cacheControlOf(file.relative))
    .header('x-content-type-options', 'nosniff');
  if (isNotModified(request, file, etag)) return reply.code(304).send();
  reply.type(contentTypeOf(file.relative)).header('content-length', String(file.stats.size));
  if (request.method === 'HEAD') return reply.send();
  return reply.send(createReadStream(file.path));
}

/** A browser navigating (it asks for HTML) to a client-side route such as `/login` gets the app's index.html. */
const wantsHtml = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('text/html');

/**
 * Serves a built web app (LLMChat's) from `web.root` at `/`, for GET and HEAD, without
 * credentials. Registered as the catch-all route: every API route is more specific and wins, and
 * reserved prefixes answer the API's JSON 404 rather than a page. Without the setting nothing is
 * registered and unknown paths answer as before.
 */
export async function registerStaticSite(app: FastifyInstance, settings: { root?: string }): Promise<void> {
  if (!settings.root) return;
  const root = await resolveWebRoot(settings.root);

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    schema: { hide: true },
    config: { auth: 'none' },
    handler: async (request, reply) => {
      const urlPath = request.url.split('?', 1)[0]!;
      const segments = safeSegments(urlPath);
      if (isReservedPath(urlPath) || (segments && isReservedPath(`/${segments.join('/')}`))) return notFound(request, reply, urlPath);
      if (!segments) return notFound(request, reply, urlPath);
      const file = await findStaticFile(root, segments);
      if (file) return sendFile(request, reply, file);
      if (wantsHtml(request)) {
        const index = await findStaticFile(root, ['index.html']);
        if (index) return sendFile(request, reply, index);
      }
      return notFound(request, reply, urlPath);
    },
  });
}
