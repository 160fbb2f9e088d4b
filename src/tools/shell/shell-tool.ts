import { z } from 'zod';
import { permissionLevels } from '../../auth/permissions.ts';
import { toolInputSchema } from '../tool-input.ts';
import type { ToolDefinition } from '../tool-registry.ts';
import { failureFromError, parseInput, toolFailure } from '../workspace/tool-results.ts';
import type { WorkspaceStore } from '../workspace/workspace-store.ts';
import type { ShellRunner } from './shell-runner.ts';

const shellInput = z.object({
  command: z.string().min(1).max(20_000).describe('A /bin/sh command line, run in your workspace folder'),
});

/** `shell_execute` (EXECUTE): a command in a bubblewrap sandbox, or a clear refusal when there is none. */
export function createShellTool(runner: ShellRunner, store: WorkspaceStore, limits: { timeoutMs: number }): ToolDefinition {
  return {
    name: 'shell_execute',
    description:
      'Run a shell command (/bin/sh) in a sandbox: no network, a clean environment, read-only system folders, ' +
      `your workspace as the writable working directory, and limits on CPU, memory, processes and output (${limits.timeoutMs} ms wall time).`,
    category: 'shell',
    permissionLevel: permissionLevels.EXECUTE,
    inputSchema: toolInputSchema(shellInput),
    async execute(input, context) {
      const parsed = parseInput('shell_execute', shellInput, input);
      if (!parsed.ok) return parsed.result;
      let folder: string;
      try {
        folder = await store.folderFor(context.userId);
      } catch (error) {
        return failureFromError(error);
      }
      const outcome = await runner.run(folder, parsed.value.command, context.signal);
      if ('unavailable' in outcome) {
        return toolFailure(`shell_execute is unavailable: ${outcome.unavailable}. Commands are never run outside the sandbox.`);
      }
      const usage = await store.usage(context.userId);
      const answer = {
        exit_code: outcome.exitCode,
        stdout: outcome.stdout,
        stderr: outcome.stderr,
        ...(outcome.signal ? { signal: outcome.signal } : {}),
        ...(outcome.timedOut ? { timed_out: true, error: `the command ran longer than ${limits.timeoutMs} ms and was killed` } : {}),
        ...(outcome.aborted ? { aborted: true } : {}),
        ...(outcome.outputTruncated ? { output_truncated: true, error: 'the output limit was reached; the command was stopped' } : {}),
        ...(usage > store.quotaBytes
          ? { quota_exceeded: `your workspace holds ${usage} bytes, over its quota of ${store.quotaBytes}; free space before writing more` }
          : {}),
      };
      return { output: JSON.stringify(answer), isError: outcome.exitCode !== 0 || outcome.timedOut || outcome.aborted };
    },
  };
}
