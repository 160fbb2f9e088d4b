#!/usr/bin/env node
// Starts from the esbuild bundle in dist/ (built on demand when the sources changed: about a
// tenth of a second), which loads far faster and smaller than compiling every module through
// tsx. Where no bundle can be built (a read-only install), it runs the TypeScript through tsx.
// COLLOQUY_NO_BUNDLE=1 always takes the tsx path; COLLOQUY_BUNDLE_DIR puts the bundle in another
// folder than dist/ (tests use a temporary one, so they never write into the checkout).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, distDirectory, isBuildCurrent } from '../scripts/build.mjs';

// The launcher decides how to load the sources before src/config/ can be loaded at all.
// eslint-disable-next-line no-restricted-properties
const launcherSettings = { noBundle: process.env.COLLOQUY_NO_BUNDLE === '1', bundleDirectory: process.env.COLLOQUY_BUNDLE_DIR };

async function bundleEntry() {
  if (launcherSettings.noBundle) return undefined;
  const outDirectory = launcherSettings.bundleDirectory ? path.resolve(launcherSettings.bundleDirectory) : distDirectory;
  try {
    if (!isBuildCurrent(outDirectory)) await build({ outDirectory });
    return pathToFileURL(path.join(outDirectory, 'colloquy.mjs')).href;
  } catch (error) {
    process.stderr.write(`colloquy: running from the sources (no bundle: ${error.message})\n`);
    return undefined;
  }
}

const entry = await bundleEntry();
if (entry) {
  await import(entry);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
