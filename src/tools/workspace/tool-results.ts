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

/** Refused paths and quota answers become error results; anything else is unexpected and thrown. */
export function failureFromError(error: unknown): ToolResult {
  if (error instanceof WorkspacePathError) return toolFailure(error.message);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return toolFailure('no such file or folder in your workspace');
  if (code === 'EISDIR') return toolFailure('that path is a folder');
  if (code === 'ENOTDIR') return toolFailure('a part of that path is a file, not a folder');
  if (code === 'ELOOP') return toolFailure('that path is a symlink; symlinks are not followed');
  throw error;
}

/** Keeps the first `maxBytes` bytes of a text, cut on a character boundary. */
export function truncateText(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.byteLength <= maxBytes) return { text, truncated: false };
  return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, ''), truncated: true };
}
