#!/usr/bin/env node
// Starts from the esbuild bundle in dist/ (built on demand when the sources changed: about a
// tenth of a second), which loads far faster and smaller than compiling every module through
// tsx. Where no bundle can be built (a read-only install), it runs the TypeScript through tsx.
// COLLOQUY_NO_BUNDLE=1 always takes the tsx path.
import { build, distDirectory, isBuildCurrent } from '../scripts/build.mjs';

async function bundleEntry() {
  // The launcher decides how to load the sources before src/config/ can be loaded at all.
  // eslint-disable-next-line no-restricted-properties
  if (process.env.COLLOQUY_NO_BUNDLE === '1') return undefined;
  try {
    if (!isBuildCurrent()) await build();
    return new URL(`file://${distDirectory}/colloquy.mjs`).href;
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
