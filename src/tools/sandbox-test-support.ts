import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema } from '../config/schema.ts';
import { createSandboxTools } from './sandbox-tools.ts';

/** Sandboxed tools over a fresh temporary data folder, with the given `tools.sandbox` settings. */
export async function startSandboxTools(sandbox: Record<string, unknown> = {}, bwrapPath?: string) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'colloquy-sandbox-'));
  const config = { ...configSchema.parse({ tools: { sandbox } }), dataDir };
  const sandboxTools = createSandboxTools({ config, ...(bwrapPath ? { bwrapPath } : {}) });
  const byName = new Map(sandboxTools.tools.map((tool) => [tool.name, tool]));
  return {
    dataDir,
    workspaceFolder: (userId: string) => path.join(dataDir, 'workspaces', userId),
    async call(name: string, input: unknown, userId = 'user-one') {
      const tool = byName.get(name);
      if (!tool) throw new Error(`no tool ${name}`);
      const signal = new AbortController().signal;
      const result = await tool.execute(input, { userId, permissionLevel: 4, toolCallId: 'call-1', signal });
      let answer: Record<string, unknown> | undefined;
      try {
        answer = JSON.parse(result.output) as Record<string, unknown>;
      } catch {
        answer = undefined;
      }
      return { ...result, answer };
    },
    async close() {
      await sandboxTools.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
