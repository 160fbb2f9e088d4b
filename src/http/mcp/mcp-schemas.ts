import { z } from 'zod';

const serverName = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_-]{1,48}$/, 'name: use 1-48 letters, digits, _ or - (it prefixes the tool names)');
const transport = z.enum(['streamable-http', 'sse'], {
  error: 'transport must be streamable-http or sse; stdio servers can only be configured in the server config file',
});
const url = z.string().trim().min(1).max(2048).describe('http(s) URL of the MCP endpoint; reached through the guarded client');
const headers = z
  .record(z.string(), z.string())
  .describe('Sent with every request (e.g. Authorization); stored encrypted, shown masked; a masked value keeps the stored one');

const fields = {
  name: serverName,
  transport: transport.optional(),
  url,
  headers: headers.nullish(),
  description: z.string().trim().max(500).nullish(),
  enabled: z.boolean().optional(),
};

/** Strict: process fields (command, args, env) are refused, whatever the transport says. */
export const createMcpServerBodySchema = z.strictObject(fields);
export const updateMcpServerBodySchema = z.strictObject({ ...fields, name: serverName.optional(), url: url.optional() });
export const mcpServerParamsSchema = z.object({ id: z.string().min(1).max(256) });

export const mcpServerViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.enum(['system', 'user']),
  transport: z.enum(['streamable-http', 'sse', 'stdio']),
  url: z.string().nullable().describe("Shown for your own servers, and to admins for system servers (without its query)"),
  description: z.string().nullable(),
  headers: z.record(z.string(), z.string()).describe('Header names with masked values'),
  enabled: z.boolean(),
  permission_level: z.number().int().describe('Lowest permission level that sees and runs its tools'),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});

/** LobeChat's MCPClientParams (`http` or `stdio`), or a configured server by id or name. */
export const mcpTargetSchema = z.union([
  z.strictObject({ server: z.string().min(1).max(256).describe('A configured server: your server id, or a server name') }),
  z.object({
    name: z.string().trim().min(1).max(100),
    type: z.enum(['http', 'stdio']).describe('http only: stdio servers cannot be started through the API'),
    url: z.string().trim().max(2048).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    command: z.string().optional(),
    args: z.array(z.string()).optional(),
  }),
]);

export const lobeApiSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()),
});

export const mcpToolViewSchema = z.object({
  name: z.string().describe('The name models see: <server>__<tool>'),
  tool: z.string().describe("The tool's own name on its server"),
  server: z.string(),
  server_id: z.string(),
  source: z.enum(['system', 'user']),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()),
  permission_level: z.number().int(),
});

export const mcpCallBodySchema = z.object({
  params: mcpTargetSchema,
  toolName: z.string().min(1).max(200),
  args: z.unknown().optional().describe('The tool arguments: a JSON object or JSON text of one'),
});

export const mcpCallResultSchema = z.object({
  result: z.string().describe("LobeChat's callTool answer: JSON text of the result"),
  text: z.string().describe('The result as a model sees it'),
  is_error: z.boolean(),
});
