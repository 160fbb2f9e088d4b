import { z } from 'zod';
import type { ToolResult } from '../tool-registry.ts';
import { WorkspacePathError } from './workspace-paths.ts';

export const toolSuccess = (value: unknown): ToolResult => ({
  output: typeof value === 'string' ? value : JSON.stringify(value),
  isError: false,
});

export const toolFailure = (message: string): ToolResult => ({ output: message, isError: true });

/** Validates a tool's input; a bad input is a clear error result for the model, never a throw. */
export function parseInput<T extends z.ZodType>(
  toolName: string,
  schema: T,
  input: unknown,
): { ok: true; value: z.infer<T> } | { ok: false; result: ToolResult } {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    result: toolFailure(`invalid input for ${toolName}: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`),
  };
}

/** What an fs error code means, in words for the model; never a host path. */
const fsErrorWords: Record<string, string> = {
  ENOENT: 'no such file or folder in your workspace',
  EISDIR: 'that path is a folder, not a file',
  ENOTDIR: 'a part of that path is a file, not a folder',
  ELOOP: 'that path goes through a symlink; symlinks are not followed',
  ENAMETOOLONG: 'that path is too long; use shorter names',
  EACCES: 'permission denied on that path in your workspace',
  EPERM: 'that operation is not permitted in your workspace',
  ENOSPC: 'the server is out of disk space; nothing more can be written',
  EDQUOT: 'the server disk quota is exhausted; nothing more can be written',
  EMLINK: 'that folder holds too many entries',
  EEXIST: 'something already exists at that path',
  ENOTEMPTY: 'that folder is not empty',
  EROFS: 'the workspace is read-only right now',
  EFBIG: 'that file is too large',
  EMFILE: 'the server has too many files open; try again shortly',
  ENFILE: 'the server has too many files open; try again shortly',
  EBUSY: 'that path is busy; try again shortly',
  EIO: 'the server could not read or write the disk',
};

/**
 * Refused paths, quota answers and file-system errors become error results in plain words,
 * naming at most the path the user gave (never the host path in the error's message).
 * Anything that is not a file-system error is a bug and is thrown.
 */
export function failureFromError(error: unknown, requestedPath?: string): ToolResult {
  if (error instanceof WorkspacePathError) return toolFailure(error.message);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !('syscall' in (error as object))) throw error;
  const words = fsErrorWords[code] ?? `the workspace operation failed (${code})`;
  return toolFailure(requestedPath === undefined ? words : `${requestedPath}: ${words}`);
}

/** Keeps the first `maxBytes` bytes of a text, cut on a character boundary. */
export function truncateText(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.byteLength <= maxBytes) return { text, truncated: false };
  return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, ''), truncated: true };
}
