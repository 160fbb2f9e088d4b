import { z } from 'zod';
import { permissionLevels } from '../../auth/permissions.ts';
import { toolInputSchema } from '../tool-input.ts';
import type { ToolDefinition, ToolResult } from '../tool-registry.ts';
import { failureFromError, parseInput, toolFailure, toolSuccess } from './tool-results.ts';
import { createSearchLimit, findMatches } from './workspace-grep.ts';
import type { WorkspaceStore } from './workspace-store.ts';

export interface FileToolLimits {
  readMaxBytes: number;
  grepMaxMatches: number;
}

const pathField = z.string().max(4096).describe('Path relative to your workspace; / separates folders');

const schemas = {
  file_read: z.object({ path: pathField }),
  file_write: z.object({
    path: pathField,
    content: z.string().describe('Text to write (UTF-8); replaces the file'),
    append: z.boolean().optional().describe('Append to the file instead of replacing it'),
  }),
  file_list: z.object({
    path: pathField.default('.'),
    recursive: z.boolean().optional().describe('Also list sub-folders (at most 1000 entries)'),
  }),
  file_exists: z.object({ path: pathField }),
  file_grep: z.object({
    pattern: z.string().min(1).max(200).describe('JavaScript regular expression searched line by line'),
    path: pathField.default('.').describe('File or folder to search (folders recursively)'),
    ignore_case: z.boolean().optional(),
  }),
};

const maxListedEntries = 1000;

type Run<Name extends keyof typeof schemas> = (input: z.infer<(typeof schemas)[Name]>, userId: string) => Promise<ToolResult>;

function fileTool<Name extends keyof typeof schemas>(
  name: Name,
  description: string,
  permissionLevel: number,
  run: Run<Name>,
): ToolDefinition {
  const schema = schemas[name];
  return {
    name,
    description,
    category: 'file',
    permissionLevel,
    inputSchema: toolInputSchema(schema),
    async execute(input, context) {
      const parsed = parseInput(name, schema, input);
      if (!parsed.ok) return parsed.result;
      try {
        return await run(parsed.value as z.infer<(typeof schemas)[Name]>, context.userId);
      } catch (error) {
        const requested = (parsed.value as { path?: unknown }).path;
        return failureFromError(error, typeof requested === 'string' ? requested : undefined);
      }
    },
  };
}

/** The workspace file tools: read, list, exists and grep (READ_ONLY) and write (WRITE). */
export function createFileTools(store: WorkspaceStore, limits: FileToolLimits): ToolDefinition[] {
  const searches = createSearchLimit();
  return [
    fileTool('file_read', 'Read a text file from your workspace', permissionLevels.READ_ONLY, async (input, userId) => {
      const { data, size } = await store.read(userId, input.path, limits.readMaxBytes);
      if (data.subarray(0, 8192).includes(0)) return toolFailure(`${input.path} is a binary file (${size} bytes)`);
      const text = new TextDecoder().decode(data);
      return toolSuccess(size > data.byteLength ? `${text}\n[truncated: showed ${data.byteLength} of ${size} bytes]` : text);
    }),
    fileTool('file_write', 'Write a text file in your workspace', permissionLevels.WRITE, async (input, userId) => {
      const data = await store.exclusive(userId, async (workspace) => {
        let content = Buffer.from(input.content, 'utf8');
        // Whatever is there is read through the regular-file check, so appending to a FIFO is refused, not waited on.
        if (input.append && (await workspace.typeOf(input.path)) !== null) {
          content = Buffer.concat([(await workspace.read(input.path, store.quotaBytes)).data, content]);
        }
        await workspace.write([{ path: input.path, data: content }]);
        return content;
      });
      return toolSuccess({ path: input.path, bytes: data.byteLength, written: true });
    }),
    fileTool('file_list', 'List a folder of your workspace', permissionLevels.READ_ONLY, async (input, userId) => {
      const entries = await store.list(userId, input.path, input.recursive ?? false);
      return toolSuccess({
        path: input.path,
        entries: entries.slice(0, maxListedEntries),
        ...(entries.length > maxListedEntries ? { truncated: true, total: entries.length } : {}),
      });
    }),
    fileTool('file_exists', 'Check whether a path exists in your workspace', permissionLevels.READ_ONLY, async (input, userId) => {
      const found = await store.typeOf(userId, input.path);
      const type = found === 'symlink' ? 'other' : found;
      return toolSuccess({ path: input.path, exists: found !== null, type });
    }),
    fileTool('file_grep', 'Search files in your workspace with a regular expression', permissionLevels.READ_ONLY, async (input, userId) => {
      const matches = await findMatches(store, userId, input.path, input.pattern, {
        ignoreCase: input.ignore_case ?? false,
        maxMatches: limits.grepMaxMatches,
        maxFileBytes: limits.readMaxBytes,
        searches,
      });
      return toolSuccess(matches);
    }),
  ];
}
