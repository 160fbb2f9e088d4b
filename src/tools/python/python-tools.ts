import { z } from 'zod';
import { permissionLevels } from '../../auth/permissions.ts';
import { toolInputSchema } from '../tool-input.ts';
import type { ToolCallContext, ToolDefinition, ToolResult } from '../tool-registry.ts';
import { failureFromError, parseInput, toolFailure } from '../workspace/tool-results.ts';
import type { WorkspaceStore } from '../workspace/workspace-store.ts';
import type { FairScheduler } from '../fair-scheduler.ts';
import type { PythonPool } from './python-pool.ts';

const executeInput = z.object({
  code: z.string().min(1).max(200_000).describe('Python source; the value of a final expression is returned as result'),
});
const evalInput = z.object({
  expression: z.string().min(1).max(10_000).describe('One Python expression, e.g. sum(range(10)) or 2**100'),
});

const sandboxNote =
  'Runs in a sandboxed Pyodide (CPython in WebAssembly) with the standard library only: no network, ' +
  'no packages; your workspace is copied to /workspace (the current folder) and files you create or change there are saved back.';

/** Runs one request and turns the outcome into the tool's JSON answer. */
async function runPython(
  pool: PythonPool,
  store: WorkspaceStore,
  mode: 'exec' | 'eval',
  code: string,
  context: ToolCallContext,
): Promise<ToolResult> {
  let files;
  try {
    files = await store.snapshot(context.userId);
  } catch (error) {
    return failureFromError(error);
  }
  const outcome = await pool.run(context.userId, { mode, code, files }, context.signal);
  if (outcome.type === 'stopped') return toolFailure(outcome.message);
  let saved: string[] = [];
  let saveError: string | undefined;
  if (outcome.files.length > 0) {
    try {
      await store.write(context.userId, outcome.files);
      saved = outcome.files.map((file) => file.path);
    } catch (error) {
      saveError = failureFromError(error).output;
    }
  }
  const answer = {
    success: outcome.ok,
    result: outcome.ok ? outcome.value : null,
    ...(outcome.ok ? {} : { error: outcome.value }),
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    ...(outcome.outputTruncated ? { output_truncated: true } : {}),
    ...(saved.length > 0 ? { files_saved: saved } : {}),
    ...(saveError ? { files_not_saved: saveError } : {}),
  };
  return { output: JSON.stringify(answer), isError: !outcome.ok || saveError !== undefined };
}

/** `python_execute` and `python_eval` (EXECUTE). */
export function createPythonTools(pool: PythonPool, store: WorkspaceStore, scheduler: FairScheduler): ToolDefinition[] {
  // The whole run takes a turn, so the workspace is copied in when the run starts, not when it was queued.
  const inTurn = (mode: 'exec' | 'eval', code: string, context: ToolCallContext) =>
    scheduler.run(context.userId, context.signal, () => runPython(pool, store, mode, code, context));
  return [
    {
      name: 'python_execute',
      description: `Execute Python code and return stdout, stderr and the final expression's value. ${sandboxNote}`,
      category: 'code',
      permissionLevel: permissionLevels.EXECUTE,
      inputSchema: toolInputSchema(executeInput),
      async execute(input, context) {
        const parsed = parseInput('python_execute', executeInput, input);
        return parsed.ok ? inTurn('exec', parsed.value.code, context) : parsed.result;
      },
    },
    {
      name: 'python_eval',
      description: `Evaluate one Python expression and return its value. ${sandboxNote}`,
      category: 'code',
      permissionLevel: permissionLevels.EXECUTE,
      inputSchema: toolInputSchema(evalInput),
      async execute(input, context) {
        const parsed = parseInput('python_eval', evalInput, input);
        return parsed.ok ? inTurn('eval', parsed.value.expression, context) : parsed.result;
      },
    },
  ];
}
