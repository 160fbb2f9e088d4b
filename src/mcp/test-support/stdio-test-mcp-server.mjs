// A tiny MCP server over stdio (the official SDK's), for tests of the operator's stdio servers.
// Run with plain `node`: it is spawned as a child process, the way an operator's server would be.
// Tools:
// - `add`: adds two numbers;
// - `read_environment`: says whether one variable is visible in this process, its value, and this
//   process's pid (so a test can check the child is gone afterwards).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'stdio-test-mcp', version: '1.0.0' });

server.registerTool(
  'add',
  { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
  async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
);

server.registerTool(
  'read_environment',
  { description: 'Whether a variable is visible to this server, and its pid', inputSchema: { name: z.string() } },
  async ({ name }) => {
    const value = process.env[name];
    const report = { pid: process.pid, visible: value !== undefined, value: value ?? null };
    return { content: [{ type: 'text', text: JSON.stringify(report) }] };
  },
);

await server.connect(new StdioServerTransport());
