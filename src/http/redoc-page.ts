import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { serviceInfo } from '../service-info.ts';

const scriptPath = '/api/redoc/redoc.standalone.js';
/** The script's URL carries a hash of its bytes, so a new ReDoc is a new URL and the old one may be cached for good. */
const immutableCache = 'public, max-age=31536000, immutable';

interface RedocBundle {
  bytes: Buffer;
  etag: string;
}

/**
 * ReDoc's standalone bundle, served from the installed npm package so the reference works with
 * no internet. The file is found from node_modules at run time (from `src/` under tsx and from
 * `dist/` in the bundle alike) and read on first use: a server nobody opens the docs of never
 * holds its megabyte.
 */
export function registerRedocPage(app: FastifyInstance): void {
  const require = createRequire(import.meta.url);
  let loading: Promise<RedocBundle> | undefined;
  const load = () =>
    (loading ??= readFile(require.resolve('redoc/bundles/redoc.standalone.js')).then((bytes) => ({
      bytes,
      etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
    })));

  const page = (version: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${serviceInfo.name} API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/api/openapi.json"></redoc>
<script src="${scriptPath}?v=${encodeURIComponent(version)}"></script></body>
</html>`;

  app.get('/api/redoc', { schema: { hide: true }, config: { auth: 'none' } }, async (_request, reply) => {
    const bundle = await load();
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page(bundle.etag.slice(1, 13)));
  });

  app.get(scriptPath, { schema: { hide: true }, config: { auth: 'none' } }, async (request, reply) => {
    const bundle = await load();
    reply.header('etag', bundle.etag).header('cache-control', immutableCache);
    if (request.headers['if-none-match']?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bundle.etag)) {
      return reply.code(304).send();
    }
    return reply.type('text/javascript; charset=utf-8').send(bundle.bytes);
  });
}
