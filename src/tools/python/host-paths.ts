import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders of Pyodide's own in-memory file system: paths there are the user's view, not the host's. */
const virtualFolders = ['/lib/', '/workspace', '/home/pyodide', '/tmp/', '/dev/', '/proc/'];
const isVirtual = (file: string) => virtualFolders.some((folder) => file === folder.replace(/\/$/, '') || file.startsWith(folder));

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Shown in place of a host path. */
export const hiddenPath = '<server>';

/** The host folders the Python processes run from: the checkout (or bundle), the working folder, Pyodide's package. */
export function pythonHostRoots(): string[] {
  const roots = [path.resolve(fileURLToPath(new URL('../../..', import.meta.url))), process.cwd()];
  try {
    roots.push(path.dirname(createRequire(import.meta.url).resolve('pyodide')));
  } catch {
    // Not resolvable from a bundle: the frame rule below still hides its files.
  }
  return roots.filter((root) => root.length > 1);
}

/**
 * Hides host paths in text that reaches a user from the Python tools. Pyodide puts JavaScript
 * frames into Python tracebacks (`File "/srv/colloquy/src/tools/python/python-lockdown.ts",
 * line 22, in Object.refused`), and a JavaScript error's message or stack can name the
 * checkout: every `File "…"` frame outside Pyodide's own file system, and every known host
 * root anywhere in the text, with the rest of that path, becomes `<server>`.
 */
export function createHostPathFilter(hostRoots: readonly string[]): (text: string) => string {
  const roots = [...new Set(hostRoots)].sort((left, right) => right.length - left.length);
  return (text) => {
    let hidden = text.replace(/File "((?:file:\/\/)?\/[^"\n]*)"/g, (frame, file: string) => (isVirtual(file) ? frame : `File "${hiddenPath}"`));
    for (const root of roots) hidden = hidden.replace(new RegExp(`(?:file://)?${escapeRegExp(root)}(?:/[^\\s"'():]*)?`, 'g'), hiddenPath);
    return hidden;
  };
}
