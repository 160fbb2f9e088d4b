import path from 'node:path';
import type { ResolvedConfig } from '../config/load-config.ts';
import { createFairScheduler } from './fair-scheduler.ts';
import { createPythonPool } from './python/python-pool.ts';
import { createPythonTools } from './python/python-tools.ts';
import { createShellRunner } from './shell/shell-runner.ts';
import { createShellTool } from './shell/shell-tool.ts';
import type { ToolDefinition } from './tool-registry.ts';
import { createFileTools } from './workspace/file-tools.ts';
import { createSandboxUids } from './workspace/sandbox-uids.ts';
import { createWorkspaceStore, type WorkspaceStore } from './workspace/workspace-store.ts';

export interface SandboxToolsDependencies {
  config: Pick<ResolvedConfig, 'dataDir'> & { tools: Pick<ResolvedConfig['tools'], 'sandbox'> };
  log?: { warn(details: object, message: string): void };
  /** The bwrap executable; tests point it at a missing file to see the refusal. */
  bwrapPath?: string;
}

export interface SandboxTools {
  /** python_execute, python_eval, shell_execute and the workspace file tools. */
  tools: ToolDefinition[];
  workspace: WorkspaceStore;
  /** Terminates the Python workers. */
  close(): Promise<void>;
}

/** Private /tmp of each shell sandbox. */
const shellTmpBytes = 64 * 1024 * 1024;

/** The sandboxed tools and the per-user workspaces they share (`<workspaceDir>/<user id>`). */
export function createSandboxTools({ config, log, bwrapPath }: SandboxToolsDependencies): SandboxTools {
  const settings = config.tools.sandbox;
  const isRoot = process.getuid?.() === 0;
  const root = path.resolve(config.dataDir, settings.workspaceDir ?? 'workspaces');
  if (isRoot && settings.shellSandboxUid !== undefined) {
    log?.warn(
      { shellSandboxUid: settings.shellSandboxUid },
      'tools.sandbox.shellSandboxUid is deprecated: every user’s shell shares that uid and its process limit; unset it to use tools.sandbox.shellUidRange',
    );
  }
  const sandboxUids = isRoot
    ? createSandboxUids({
        root,
        range: settings.shellUidRange,
        ...(settings.shellSandboxUid === undefined ? {} : { sharedUid: settings.shellSandboxUid }),
      })
    : undefined;
  const workspace = createWorkspaceStore({
    root,
    quotaBytes: settings.workspaceQuotaBytes,
    maxEntries: settings.workspaceMaxEntries,
    ...(sandboxUids ? { sandboxUids } : {}),
  });
  const pool = createPythonPool({
    size: settings.pythonWorkers,
    timeoutMs: settings.pythonTimeoutMs,
    memoryMb: settings.pythonMemoryMb,
    maxOutputBytes: settings.toolOutputMaxBytes,
    ...(log ? { log } : {}),
  });
  const shell = createShellRunner({
    limits: {
      memoryMb: settings.shellMemoryMb,
      maxProcesses: settings.shellMaxProcesses,
      cpuSeconds: Math.max(1, Math.ceil(settings.shellTimeoutMs / 1000)),
      maxFileBytes: settings.workspaceQuotaBytes,
      tmpBytes: shellTmpBytes,
    },
    isRoot,
    timeoutMs: settings.shellTimeoutMs,
    maxOutputBytes: settings.toolOutputMaxBytes,
    ...(bwrapPath ? { bwrapPath } : {}),
  });
  // Python and shell runs queue per user and take turns, so one user's runs cannot starve another's.
  const fairness = { perUserRunning: settings.sandboxRunsPerUser, perUserQueued: settings.sandboxQueuedPerUser };
  const pythonScheduler = createFairScheduler({ name: 'Python', slots: settings.pythonWorkers, ...fairness });
  const shellScheduler = createFairScheduler({ name: 'shell', slots: settings.shellConcurrentRuns, ...fairness });
  return {
    tools: [
      ...createPythonTools(pool, workspace, pythonScheduler),
      ...createFileTools(workspace, { readMaxBytes: settings.fileReadMaxBytes, grepMaxMatches: settings.grepMaxMatches }),
      createShellTool(shell, workspace, shellScheduler, { timeoutMs: settings.shellTimeoutMs }),
    ],
    workspace,
    close: () => pool.close(),
  };
}
