import { z } from 'zod';
import { permissionLevels } from '../../auth/permissions.ts';
import { toolInputSchema } from '../tool-input.ts';
import type { ToolDefinition, ToolResult } from '../tool-registry.ts';
import { failureFromError, parseInput, toolFailure } from '../workspace/tool-results.ts';
import type { WorkspaceStore, WorkspaceView } from '../workspace/workspace-store.ts';
import type { FairScheduler } from '../fair-scheduler.ts';
import type { ShellRunner } from './shell-runner.ts';

const shellInput = z.object({
  command: z.string().min(1).max(20_000).describe('A /bin/sh command line, run in your workspace folder'),
});

/** `shell_execute` (EXECUTE): a command in a bubblewrap sandbox, or a clear refusal when there is none. */
export function createShellTool(
  runner: ShellRunner,
  store: WorkspaceStore,
  scheduler: FairScheduler,
  limits: { timeoutMs: number },
): ToolDefinition {
  const tool: ToolDefinition = {
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
      // A RATE_LIMITED refusal is thrown on: the tools API answers it as a 429, a chat turn as a failed tool result.
      return scheduler.run(context.userId, context.signal, async () => {
        try {
          return await store.exclusive(context.userId, (workspace) => runInWorkspace(workspace, parsed.value.command, context.signal));
        } catch (error) {
          return failureFromError(error);
        }
      });
    },
  };
  return tool;

  /**
   * Runs holding the user's workspace lock (see workspace-lock.ts). The quota is enforced per
   * file: no process may write a file larger than the room left, so one run can overshoot the
   * quota by at most that room times the number of files it writes. A workspace over its quota
   * gets a run that can delete or shrink files but not grow any.
   */
  async function runInWorkspace(workspace: WorkspaceView, command: string, signal: AbortSignal): Promise<ToolResult> {
    const before = await workspace.usage();
    const room = Math.max(0, store.quotaBytes - before);
    const outcome = await runner.run(workspace.folder, command, { signal, maxFileBytes: room, ...(workspace.sandboxUid === undefined ? {} : { uid: workspace.sandboxUid }) });
    if ('unavailable' in outcome) {
      return toolFailure(`shell_execute is unavailable: ${outcome.unavailable}. Commands are never run outside the sandbox.`);
    }
    const usage = await workspace.usage();
    // Nothing in the sandbox can cap how many files a run creates: past the cap the answer says so,
    // and file_write and Python's write-back refuse new entries until some are deleted.
    const entries = await workspace.entries();
    const answer = {
      exit_code: outcome.exitCode,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      ...(outcome.signal ? { signal: outcome.signal } : {}),
      ...(outcome.timedOut ? { timed_out: true, error: `the command ran longer than ${limits.timeoutMs} ms and was killed` } : {}),
      ...(outcome.aborted ? { aborted: true } : {}),
      ...(outcome.outputTruncated ? { output_truncated: true, error: 'the output limit was reached; the command was stopped' } : {}),
      ...(room === 0
        ? { quota_note: `your workspace was full (${before} of ${store.quotaBytes} bytes), so this run could only delete or shrink files` }
        : {}),
      ...(usage > store.quotaBytes
        ? { quota_exceeded: `your workspace holds ${usage} bytes, over its quota of ${store.quotaBytes}; free space before writing more` }
        : {}),
      ...(entries > store.maxEntries
        ? {
            entries_exceeded:
              `your workspace holds ${entries} files and folders, over its limit of ${store.maxEntries}; ` +
              'delete some before writing more (file_write and Python cannot add any until then)',
          }
        : {}),
    };
    return { output: JSON.stringify(answer), isError: outcome.exitCode !== 0 || outcome.timedOut || outcome.aborted };
  }
}
