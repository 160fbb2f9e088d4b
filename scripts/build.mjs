// Bundles the TypeScript sources into dist/ with esbuild, so a start loads one file instead of
// compiling ~400 modules through tsx. bin/colloquy.js builds on demand when the sources changed,
// and falls back to tsx when it cannot (a read-only install, no esbuild).
//
// `node scripts/build.mjs [--out-dir <folder>]` builds now, into dist/ or the folder given.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDirectory = path.join(root, 'dist');
const stampFile = 'build-stamp.json';

/** Every source file's path, size and modification time, folded into one string: cheap, and any edit changes it. */
export function sourceSignature() {
  const parts = [];
  const walk = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith('.test.ts')) {
        const stat = statSync(full);
        parts.push(`${full}:${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  walk(path.join(root, 'src'));
  parts.push(readFileSync(path.join(root, 'package.json'), 'utf8'), readFileSync(fileURLToPath(import.meta.url), 'utf8'));
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** Whether dist/ holds a build of the sources as they are now. */
export function isBuildCurrent(outDirectory = distDirectory) {
  try {
    const stamp = JSON.parse(readFileSync(path.join(outDirectory, stampFile), 'utf8'));
    return stamp.signature === sourceSignature();
  } catch {
    return false;
  }
}

/**
 * Packages left out of the bundle: native addons, packages that read their own files by path
 * (Swagger UI's assets, Pyodide's runtime), optional native helpers, and packages loaded only
 * in some deployments (src/lazy-require.ts), which stay out of a start that does not need them.
 */
const external = [
  'better-sqlite3', '@node-rs/argon2', 'pyodide', '@fastify/swagger-ui', 'bufferutil', 'utf-8-validate', 'pino-pretty',
  'pg', 'ioredis', '@ai-sdk/anthropic', '@ai-sdk/google', '@ai-sdk/azure', 'tsx', 'esbuild',
];

/**
 * Bundles the server (dependencies included: loading one file is much faster than resolving
 * hundreds) and the Python worker into a fresh folder, then swaps it in, so a server starting
 * at the same moment never loads half a build.
 */
export async function build({ outDirectory = distDirectory } = {}) {
  const { build: esbuild } = await import('esbuild');
  const signature = sourceSignature();
  const staging = `${outDirectory}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await esbuild({
    entryPoints: {
      colloquy: path.join(root, 'src/cli/index.ts'),
      'python-worker': path.join(root, 'src/tools/python/python-worker.ts'),
      'token-count-worker': path.join(root, 'src/chat/token-count-worker.mjs'),
    },
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    // CommonJS packages inside an ES module bundle still call require (node: built-ins, externals).
    banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
    // Names are kept (stack traces stay readable); whitespace goes, which halves the source V8 holds.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    sourcemap: true,
    logLevel: 'error',
  });
  // Plain JavaScript files the sources load by path, next to the bundle that now asks for them.
  copyFileSync(path.join(root, 'src/tools/workspace/grep-worker.mjs'), path.join(staging, 'grep-worker.mjs'));
  copyFileSync(path.join(root, 'src/tools/python/python-worker-bootstrap.mjs'), path.join(staging, 'python-worker-bootstrap.mjs'));
  // Outside the checkout, the packages left out of the bundle would not resolve (node looks for
  // node_modules beside and above the bundle): a link in the folder itself points at ours.
  // Removing the folder later removes the link, never what it points at.
  const relative = path.relative(root, path.resolve(outDirectory));
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    symlinkSync(path.join(root, 'node_modules'), path.join(staging, 'node_modules'), 'dir');
  }
  writeFileSync(path.join(staging, stampFile), JSON.stringify({ signature, builtAt: new Date().toISOString() }));
  rmSync(outDirectory, { recursive: true, force: true });
  renameSync(staging, outDirectory);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const option = process.argv.indexOf('--out-dir');
  const outDirectory = option === -1 ? distDirectory : path.resolve(process.argv[option + 1] ?? '');
  if (option !== -1 && !process.argv[option + 1]) {
    process.stderr.write('--out-dir needs a folder\n');
    process.exit(2);
  }
  await build({ outDirectory });
  process.stdout.write(`built ${path.relative(process.cwd(), outDirectory) || outDirectory}\n`);
}
