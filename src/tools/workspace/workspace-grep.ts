import { WorkspacePathError } from './workspace-paths.ts';
import type { WorkspaceStore } from './workspace-store.ts';

export interface GrepOptions {
  ignoreCase: boolean;
  maxMatches: number;
  /** Bytes read from each file. */
  maxFileBytes: number;
}

export interface GrepResult {
  matches: { path: string; line: number; text: string }[];
  truncated: boolean;
  files_searched: number;
}

/** Lines longer than this are cut before matching, which bounds the work per line. */
const maxLineLength = 2000;
/** A quantified group that itself holds a quantifier, e.g. `(a+)+`: the classic catastrophic backtracking. */
const nestedQuantifier = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

function compile(pattern: string, ignoreCase: boolean): RegExp {
  if (nestedQuantifier.test(pattern)) {
    throw new WorkspacePathError('patterns with a repeated group that itself repeats (like (a+)+) are refused');
  }
  try {
    return new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch (error) {
    throw new WorkspacePathError(`invalid regular expression: ${(error as Error).message}`);
  }
}

/** Searches a file, or every text file under a folder, line by line; stops at the match cap. */
export async function findMatches(
  store: WorkspaceStore,
  userId: string,
  requested: string,
  pattern: string,
  options: GrepOptions,
): Promise<GrepResult> {
  const expression = compile(pattern, options.ignoreCase);
  const { relative } = await store.resolve(userId, requested);
  const entries = await store.list(userId, '.', true);
  const target = entries.find((entry) => entry.path === relative);
  const files =
    target?.type === 'file'
      ? [target]
      : entries.filter((entry) => entry.type === 'file' && (relative === '.' || entry.path.startsWith(`${relative}/`)));
  if (relative !== '.' && !target) throw new WorkspacePathError(`${relative} does not exist`);
  const result: GrepResult = { matches: [], truncated: false, files_searched: 0 };
  for (const file of files) {
    const { data } = await store.read(userId, file.path, options.maxFileBytes);
    result.files_searched += 1;
    if (data.subarray(0, 8192).includes(0)) continue;
    const lines = new TextDecoder().decode(data).split('\n');
    for (const [index, line] of lines.entries()) {
      const text = line.length > maxLineLength ? line.slice(0, maxLineLength) : line;
      if (!expression.test(text)) continue;
      if (result.matches.length >= options.maxMatches) {
        result.truncated = true;
        return result;
      }
      result.matches.push({ path: file.path, line: index + 1, text });
    }
  }
  return result;
}
