import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** A file inside the web root, found without leaving it. */
export interface StaticFile {
  /** The real path (symlinks resolved, still inside the root). */
  path: string;
  /** Relative to the root, with `/` separators. */
  relative: string;
  stats: Stats;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

/**
 * Ours rather than @fastify/send's (`mime` 3): it still says `application/javascript`, which
 * RFC 9239 made obsolete, and it adds no charset to some text types.
 */
export function contentTypeOf(name: string): string {
  return contentTypes[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Bundlers put a content hash in the names of what they emit under `assets/` (Vite:
 * `index-D8Zx_Ysg.js`) or `static/` (Create React App: `main.8f2c1a3b.js`). A name counts as
 * hashed when, before its extension and after a `-` or `.`, it carries 8 or more of
 * `[A-Za-z0-9_-]` with a digit or both letter cases, which plain words (`my-component.js`) lack.
 * Such a file never changes, so it may be cached for a year; everything else is revalidated.
 */
export function isHashedAsset(relative: string): boolean {
  const match = /^(?:assets|static)\/(?:.+\/)?[^/]+[.-]([A-Za-z0-9_-]{8,})\.[A-Za-z0-9]+$/.exec(relative);
  const hash = match?.[1];
  return hash !== undefined && (/\d/.test(hash) || (/[a-z]/.test(hash) && /[A-Z]/.test(hash)));
}

export const cacheControlOf = (relative: string): string => (isHashedAsset(relative) ? 'public, max-age=31536000, immutable' : 'no-cache');

/**
 * The path's segments, percent-decoded, or undefined when one could name something outside the
 * root or hidden: `.` and `..` (also encoded, `%2e%2e`), separators or NUL inside a segment
 * (`..%2f`), dot-files (`.env`, `.git`), and malformed escapes.
 */
export function safeSegments(urlPath: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of urlPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment.startsWith('.') || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

const inside = (root: string, candidate: string): boolean => candidate === root || candidate.startsWith(root + path.sep);

/** The root folder, resolved once at start; a missing folder or a file is a configuration error. */
export async function resolveWebRoot(configured: string): Promise<string> {
  let root: string;
  try {
    root = await realpath(path.resolve(configured));
  } catch {
    throw new Error(`web.root (COLLOQUY_WEB_ROOT) ${JSON.stringify(configured)} does not exist`);
  }
  if (!(await stat(root)).isDirectory()) throw new Error(`web.root (COLLOQUY_WEB_ROOT) ${JSON.stringify(configured)} is not a folder`);
  return root;
}

/**
 * The regular file the segments name under the root (a folder's `index.html` for a folder), or
 * undefined. Symlinks are followed only while their target stays inside the root.
 */
export async function findStaticFile(root: string, segments: readonly string[]): Promise<StaticFile | undefined> {
  const candidate = path.join(root, ...segments);
  if (!inside(root, candidate)) return undefined;
  let real: string;
  let stats: Stats;
  try {
    real = await realpath(candidate);
    if (!inside(root, real)) return undefined;
    stats = await stat(real);
    if (stats.isDirectory()) {
      real = await realpath(path.join(real, 'index.html'));
      if (!inside(root, real)) return undefined;
      stats = await stat(real);
    }
  } catch {
    return undefined;
  }
  if (!stats.isFile()) return undefined;
  return { path: real, relative: path.relative(root, real).split(path.sep).join('/'), stats };
}
