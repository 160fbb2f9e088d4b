import { Worker } from 'node:worker_threads';
import pLimit, { type LimitFunction } from 'p-limit';
import { WorkspacePathError } from './workspace-paths.ts';
import type { WorkspaceStore } from './workspace-store.ts';

export interface GrepOptions {
  ignoreCase: boolean;
  maxMatches: number;
  /** Bytes read from each file. */
  maxFileBytes: number;
  /** Bounds the searches running at once (one limiter per file-tools instance, see `createSearchLimit`). */
  searches: LimitFunction;
}

/** The limiter shared by one set of file tools. */
export const createSearchLimit = () => pLimit(maxConcurrentSearches);

export interface GrepResult {
  matches: { path: string; line: number; text: string }[];
  truncated: boolean;
  files_searched: number;
}

/** Lines longer than this are cut before matching, which bounds the work per line. */
const maxLineLength = 2000;
/** Longest a search may run; the worker doing it is terminated past this. */
export const grepTimeLimitMs = 2000;
/** Searches running at once; more wait their turn, so greps cannot take every core. */
export const maxConcurrentSearches = 2;
/** A quantified group that itself holds a quantifier, e.g. `(a+)+`: refused early with a clearer message. */
const nestedQuantifier = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

function checkPattern(pattern: string, flags: string): void {
  if (nestedQuantifier.test(pattern)) {
    throw new WorkspacePathError('patterns with a repeated group that itself repeats (like (a+)+) are refused');
  }
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    throw new WorkspacePathError(`invalid regular expression: ${(error as Error).message}`);
  }
}

interface SearchJob {
  pattern: string;
  flags: string;
  files: { path: string; text: string | null }[];
  maxMatches: number;
}

/**
 * Matches in a worker thread (the pattern may backtrack catastrophically: no check catches them
 * all) and terminates it after `grepTimeLimitMs` of searching, answering a tool error.
 */
function searchInWorker(job: SearchJob, timeLimitMs: number): Promise<GrepResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./grep-worker.mjs', import.meta.url), {
      workerData: { ...job, maxLineLength },
      resourceLimits: { maxOldGenerationSizeMb: 128 },
    });
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      void worker.terminate();
      settle();
    };
    worker.once('online', () => {
      timer = setTimeout(
        () => finish(() => reject(new WorkspacePathError(`the pattern took too long (over ${timeLimitMs / 1000} s); simplify it`))),
        timeLimitMs,
      );
    });
    worker.once('message', (result: GrepResult) => finish(() => resolve(result)));
    worker.once('error', () => finish(() => reject(new WorkspacePathError('the search failed; simplify the pattern or search fewer files'))));
    worker.once('exit', () => finish(() => reject(new WorkspacePathError('the search stopped before it finished'))));
  });
}

/** Searches a file, or every text file under a folder, line by line; stops at the match cap. */
export async function findMatches(
  store: WorkspaceStore,
  userId: string,
  requested: string,
  pattern: string,
  options: GrepOptions,
  timeLimitMs = grepTimeLimitMs,
): Promise<GrepResult> {
  const flags = options.ignoreCase ? 'i' : '';
  checkPattern(pattern, flags);
  // The files are read holding the user's workspace lock; the matching runs after it is released.
  const files = await store.exclusive(userId, async (workspace) => {
    const { relative } = await workspace.resolve(requested);
    const entries = await workspace.list('.', true);
    const target = entries.find((entry) => entry.path === relative);
    if (relative !== '.' && !target) throw new WorkspacePathError(`${relative} does not exist`);
    if (target && target.type !== 'file' && target.type !== 'directory') {
      throw new WorkspacePathError(`${relative} is not a regular file or a folder; only those can be searched`);
    }
    const chosen =
      target?.type === 'file'
        ? [target]
        : entries.filter((entry) => entry.type === 'file' && (relative === '.' || entry.path.startsWith(`${relative}/`)));
    const texts: SearchJob['files'] = [];
    for (const file of chosen) {
      const { data } = await workspace.read(file.path, options.maxFileBytes);
      texts.push({ path: file.path, text: data.subarray(0, 8192).includes(0) ? null : new TextDecoder().decode(data) });
    }
    return texts;
  });
  if (files.length === 0) return { matches: [], truncated: false, files_searched: 0 };
  return options.searches(() => searchInWorker({ pattern, flags, files, maxMatches: options.maxMatches }, timeLimitMs));
}
