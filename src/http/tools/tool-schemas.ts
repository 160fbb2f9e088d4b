import { z } from 'zod';
import { permissionLevelName } from '../../auth/permissions.ts';
import type { ToolDefinition } from '../../tools/tool-registry.ts';

/** One tool as Luxx lists it (`name, description, category, parameters`), plus its level. */
export const toolViewSchema = z.object({
  name: z.string(),
  description: z.string(),
  category: z.string(),
  parameters: z.record(z.string(), z.unknown()).describe('JSON Schema of the arguments'),
  permission_level: z.number().int().describe('Lowest level that may run it: 1 READ_ONLY, 2 WRITE, 3 EXECUTE, 4 ADMIN'),
  permission: z.string(),
});

export const toolView = (tool: ToolDefinition): z.infer<typeof toolViewSchema> => ({
  name: tool.name,
  description: tool.description,
  category: tool.category,
  parameters: tool.inputSchema as Record<string, unknown>,
  permission_level: tool.permissionLevel,
  permission: permissionLevelName(tool.permissionLevel),
});

export const toolListQuerySchema = z.object({
  category: z.string().trim().min(1).max(64).optional().describe('code, file, shell, crawler, data, mcp …'),
});

export const toolListSchema = z.object({
  tools: z.array(toolViewSchema),
  categorized: z.record(z.string(), z.array(toolViewSchema)),
  total: z.number().int(),
});

export const toolParamsSchema = z.object({ name: z.string().min(1).max(256) });

/** Luxx sends the tool's arguments as the whole body. */
export const toolExecuteBodySchema = z.record(z.string(), z.unknown()).nullish();

export const toolExecuteResultSchema = z.object({
  tool: z.string(),
  result: z.string().describe('What the tool returned (JSON text for structured results)'),
  is_error: z.boolean().describe('The tool ran and reported a failure'),
});

/** LobeChat's `tools.search.query` input. */
export const searchQueryBodySchema = z.object({
  query: z.string().trim().min(1).max(500),
  optionalParams: z
    .object({
      searchCategories: z.array(z.string()).optional(),
      searchEngines: z.array(z.string()).optional(),
      searchTimeRange: z.string().optional(),
    })
    .optional()
    .describe('Accepted for compatibility; the configured engine decides'),
});

export const searchQueryResultSchema = z.object({
  costTime: z.number(),
  query: z.string(),
  resultNumbers: z.number().int(),
  results: z.array(
    z.object({
      title: z.string(),
      url: z.string(),
      content: z.string(),
      engines: z.array(z.string()),
      category: z.string(),
      parsedUrl: z.string(),
      score: z.number(),
    }),
  ),
});

/** LobeChat's `tools.search.crawlPages` input. */
export const crawlPagesBodySchema = z.object({
  urls: z.array(z.string().min(1).max(4096)).min(1),
  impls: z.array(z.string()).optional().describe('Accepted for compatibility; pages are always read by Colloquy itself'),
});

export const crawlPagesResultSchema = z.object({
  results: z.array(
    z.object({
      crawler: z.string(),
      originalUrl: z.string(),
      data: z.union([
        z.object({
          content: z.string(),
          contentType: z.literal('text'),
          title: z.string(),
          description: z.string().optional(),
          siteName: z.string().optional(),
          url: z.string(),
          length: z.number().int(),
        }),
        z.object({ errorMessage: z.string(), errorType: z.string(), url: z.string() }),
      ]),
    }),
  ),
});
