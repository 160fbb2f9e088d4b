import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { sendError } from '../error-handler.ts';
import { contentTypeOf, findStaticFile, isHashedAsset, resolveWebRoot, safeSegments, type StaticFile } from './static-files.ts';

/** Paths the web app never answers, so an unknown API path keeps its JSON 404 (the OpenAPI UI is `/api/docs`). */
export const reservedPrefixes = ['/api', '/v1', '/ws', '/health', '/webapi', '/docs'] as const;

export function isReservedPath(urlPath: string): boolean {
  const lower = urlPath.toLowerCase();
  return reservedPrefixes.some((prefix) => lower === prefix || lower.startsWith(`${prefix}/`));
}

function notFound(request: FastifyRequest, reply: FastifyReply, urlPath: string): FastifyReply {
  return sendError(request, reply, new AppError('NOT_FOUND', `no route for ${request.method} ${urlPath}`));
}

const yearMs = 365 * 24 * 60 * 60 * 1000;

/**
 * @fastify/static (through @fastify/send) streams the file and answers HEAD, ETag and
 * Last-Modified, conditional requests (304, 412) and ranges. The cache policy is ours (a year and
 * `immutable` for content-hashed names, `no-cache`, always revalidate, for the rest, index.html
 * included), and so is the content type (see `contentTypeOf`).
 */
function sendFile(reply: FastifyReply, root: string, file: StaticFile): FastifyReply {
  reply.header('x-content-type-options', 'nosniff').type(contentTypeOf(file.relative));
  if (isHashedAsset(file.relative)) return reply.sendFile(file.relative, root, { contentType: false, maxAge: yearMs, immutable: true });
  reply.header('cache-control', 'no-cache');
  return reply.sendFile(file.relative, root, { contentType: false, cacheControl: false });
}

/** A browser navigating (it asks for HTML) to a client-side route such as `/login` gets the app's index.html. */
const wantsHtml = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('text/html');

/**
 * Serves a built web app (LLMChat's) from `web.root` at `/`, for GET and HEAD, without
 * credentials. Registered as the catch-all route: every API route is more specific and wins, and
 * reserved prefixes answer the API's JSON 404 rather than a page. Without the setting nothing is
 * registered and unknown paths answer as before.
 *
 * The plugin sends the file; this layer decides which file, because the plugin cannot: it
 * follows symlinks out of the root (@fastify/send checks the joined path, not the real one), it
 * has no index.html fallback limited to page navigations, and its wildcard route would also
 * answer under the API's prefixes. So the path is checked here (reserved prefixes, decoded
 * segments, the real path inside the root) and the plugin gets the real file's relative path.
 */
export async function registerStaticSite(app: FastifyInstance, settings: { root?: string }): Promise<void> {
  if (!settings.root) return;
  const root = await resolveWebRoot(settings.root);

  // Encapsulated: `reply.sendFile` exists only here (Swagger UI registers its own copy of the plugin).
  await app.register(async (site) => {
    await site.register(fastifyStatic, { root, serve: false, dotfiles: 'ignore', index: false });
    site.route({
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
        if (file) return sendFile(reply, root, file);
        if (wantsHtml(request)) {
          const index = await findStaticFile(root, ['index.html']);
          if (index) return sendFile(reply, root, index);
        }
        return notFound(request, reply, urlPath);
      },
    });
  });
}
