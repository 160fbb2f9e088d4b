import type { AuditLog } from '../audit/audit-log.ts';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { DiagnosticLog } from '../diagnostics.ts';
import type { GuardedHttpClient } from '../net/guarded-http-client.ts';
import { createProcessDataTool } from './data/process-data-tool.ts';
import { createSandboxTools } from './sandbox-tools.ts';
import type { WorkspaceStore } from './workspace/workspace-store.ts';
import { createToolRegistry, type ToolDefinition, type ToolRegistry, type ToolSource } from './tool-registry.ts';
import { createWebTools, type WebTools } from './web/web-tools.ts';

export interface ToolModuleDependencies {
  config: Pick<ResolvedConfig, 'tools' | 'dataDir'>;
  http: Pick<GuardedHttpClient, 'fetchWith'>;
  audit: AuditLog;
  log: DiagnosticLog;
  /** Tools added beside the built-in ones; one named like a built-in tool replaces it (tests register fakes here). */
  extraTools?: readonly ToolDefinition[];
}

export interface ToolModule {
  registry: ToolRegistry;
  /** Per-user tool sources (MCP) join the registry here. */
  sources: { add(source: ToolSource): void };
  /** The web search and fetch behind the web tools, for LobeChat's search routes. */
  web: Pick<WebTools, 'search' | 'fetchPage' | 'settings'>;
  audit: AuditLog;
  log: DiagnosticLog;
  /** Each user's workspace folder, shared by the file, Python and shell tools. */
  workspace: WorkspaceStore;
  close(): Promise<void>;
}

/**
 * Every tool the server offers, composed in one registry: web search and fetch, process_data,
 * the sandboxed tools (Python, shell, workspace files), extra tools, and per-user sources.
 */
export function createToolModule(dependencies: ToolModuleDependencies): ToolModule {
  const web = createWebTools(dependencies.http, dependencies.config.tools, dependencies.log);
  // python_execute, python_eval, shell_execute and the workspace file tools (workers start on demand).
  const sandbox = createSandboxTools({ config: dependencies.config, log: dependencies.log });
  const sandboxTools = sandbox.tools;

  const extraTools = dependencies.extraTools ?? [];
  const replaced = new Set(extraTools.map((tool) => tool.name));
  const builtIn = [...web.tools, createProcessDataTool(), ...sandboxTools].filter((tool) => !replaced.has(tool.name));
  const registry = createToolRegistry(
    [...builtIn, ...extraTools],
    { onSourceError: (error) => dependencies.log.warn({ err: error }, 'a tool source could not list its tools') },
  );
  return {
    registry,
    sources: { add: (source) => registry.addSource(source) },
    web,
    audit: dependencies.audit,
    log: dependencies.log,
    workspace: sandbox.workspace,
    close: () => sandbox.close(),
  };
}
