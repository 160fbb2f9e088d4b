import { z } from 'zod';
import { booleanFromText } from './setting-types.ts';

/** Settings of the tools, MCP and the plugin gateway: sections of the one config schema. */
/** A name usable as a tool-name prefix: letters, digits, `_` and `-`. */
const mcpServerName = z.string().regex(/^[a-zA-Z0-9_-]{1,48}$/, 'use 1-48 letters, digits, _ or -');
const mcpPermissionLevel = z.coerce.number().int().min(1).max(4).default(3);
const mcpRemoteServerSchema = z
  .object({
    name: mcpServerName,
    transport: z.enum(['streamable-http', 'sse']).default('streamable-http'),
    url: z.url({ protocol: /^https?$/ }),
    /** Sent with every request (e.g. Authorization); never shown. */
    headers: z.record(z.string(), z.string()).default({}),
    description: z.string().max(500).optional(),
    /** Lowest permission level that may see and run its tools; EXECUTE (3) by default. */
    permissionLevel: mcpPermissionLevel,
    enabled: booleanFromText.default(true),
  })
  .strict();
const mcpStdioServerSchema = z
  .object({
    name: mcpServerName,
    transport: z.literal('stdio'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Added to a minimal inherited environment (PATH, HOME, …), never the server's whole one. */
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
    description: z.string().max(500).optional(),
    permissionLevel: mcpPermissionLevel,
    enabled: booleanFromText.default(true),
  })
  .strict();
/**
 * The admin MCP server list. From an environment variable it arrives as JSON text, and may not
 * start processes: stdio servers come only from the config file.
 */
const mcpServersSetting = z.unknown().transform((value, context): McpServerSetting[] => {
  const fromEnvironment = typeof value === 'string';
  let list: unknown = value;
  if (fromEnvironment) {
    try {
      list = JSON.parse(value);
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON array of MCP servers' });
      return z.NEVER;
    }
  }
  if (!Array.isArray(list)) {
    context.addIssue({ code: 'custom', message: 'must be an array of MCP servers' });
    return z.NEVER;
  }
  const servers: McpServerSetting[] = [];
  list.forEach((entry, index) => {
    const isStdio = (entry as { transport?: unknown } | null)?.transport === 'stdio';
    if (isStdio && fromEnvironment) {
      context.addIssue({ code: 'custom', path: [index], message: 'stdio servers can only be configured in the config file' });
      return;
    }
    const parsed = (isStdio ? mcpStdioServerSchema : mcpRemoteServerSchema).safeParse(entry);
    if (parsed.success) servers.push(parsed.data);
    else for (const issue of parsed.error.issues) context.addIssue({ ...issue, path: [index, ...issue.path] } as never);
  });
  const names = servers.map((server) => server.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) context.addIssue({ code: 'custom', message: `MCP server name ${duplicate} is used twice` });
  return servers;
});
export type McpServerSetting = z.infer<typeof mcpRemoteServerSchema> | z.infer<typeof mcpStdioServerSchema>;

/** Python, shell and workspace file tools (`tools.sandbox`). */
const sandboxSettings = z.object({
  /** Root of the per-user workspaces (`<root>/<user id>`); `<dataDir>/workspaces` when unset. */
  workspaceDir: z.string().min(1).optional(),
  /** Most bytes one user's workspace may hold. */
  workspaceQuotaBytes: z.coerce.number().int().min(1024).max(1024 ** 4).default(100 * 1024 * 1024),
  /** Most files, folders and other entries one user's workspace may hold (the byte quota does not count empty files). */
  workspaceMaxEntries: z.coerce.number().int().min(10).max(10_000_000).default(10_000),
  /** Largest file `file_read` returns, in bytes (the rest is cut with a note). */
  fileReadMaxBytes: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Most matching lines one `file_grep` returns. */
  grepMaxMatches: z.coerce.number().int().min(1).max(100_000).default(200),
  /** Python worker threads kept (created on first use). */
  pythonWorkers: z.coerce.number().int().min(1).max(64).default(2),
  /** Wall time of one Python run; past it the worker is terminated and replaced. */
  pythonTimeoutMs: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Memory of one Python worker (WebAssembly heap, and the JS heap), in MB. */
  pythonMemoryMb: z.coerce.number().int().min(64).max(4096).default(512),
  /** Wall time of one shell command; its whole sandbox is killed past it. */
  shellTimeoutMs: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Address space of each process in the shell sandbox, in MB. */
  shellMemoryMb: z.coerce.number().int().min(16).max(65_536).default(512),
  /** Most processes the shell sandbox may run at once. */
  shellMaxProcesses: z.coerce.number().int().min(1).max(4096).default(64),
  /**
   * Uids the shell sandboxes run as when the server runs as root, `first-last`: each user gets
   * one of their own (RLIMIT_NPROC counts per uid, so a shared uid shares the process limit).
   */
  shellUidRange: z
    .string()
    .regex(/^\s*\d+\s*-\s*\d+\s*$/, 'give two uids as first-last, e.g. 200000-265535')
    .default('200000-265535')
    .transform((value, context) => {
      const [first, last] = value.split('-').map((part) => Number(part.trim())) as [number, number];
      if (first < 1000 || last > 2 ** 31 - 2 || first > last) {
        context.addIssue({ code: 'custom', message: 'the range must lie within 1000-2147483646 and start at or below its end' });
        return z.NEVER;
      }
      return { first, last };
    }),
  /** Deprecated: one uid for every user's sandbox (the process limit is then shared); overrides `shellUidRange`. */
  shellSandboxUid: z.coerce.number().int().min(1).max(2 ** 31).optional(),
  /** Shell runs at once across all users (Python's is `pythonWorkers`); more wait their turn, per user in rotation. */
  shellConcurrentRuns: z.coerce.number().int().min(1).max(256).default(4),
  /** Python runs (and, separately, shell runs) of one user at once. */
  sandboxRunsPerUser: z.coerce.number().int().min(1).max(64).default(1),
  /** Python runs (and, separately, shell runs) of one user waiting for a turn; one more answers 429 RATE_LIMITED. */
  sandboxQueuedPerUser: z.coerce.number().int().min(0).max(1000).default(10),
  /** Most bytes of stdout plus stderr one Python or shell run hands back. */
  toolOutputMaxBytes: z.coerce.number().int().min(256).max(64 * 1024 * 1024).default(64 * 1024),
});

/** Built-in tools: web search and fetch (sandboxed tools add their own settings here too). */
export const toolSettings = z
  .object({
    /** A SearXNG instance whose JSON API `web_search` uses first; DuckDuckGo's HTML page without it. */
    searxngUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** DuckDuckGo's keyless HTML search page, the fallback of `web_search`. */
    duckduckgoUrl: z.url({ protocol: /^https?$/ }).default('https://html.duckduckgo.com/html/'),
    /** Most results one search returns. */
    searchMaxResults: z.coerce.number().int().min(1).max(50).default(10),
    /** Largest page `web_fetch` reads, in bytes. */
    fetchMaxBytes: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
    /** Time allowed for one page (search requests too), headers and body. */
    fetchTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(15_000),
    /** Most URLs one `batch_fetch` (or LobeChat crawl) takes. */
    fetchMaxUrls: z.coerce.number().int().min(1).max(50).default(5),
    /** Longest text one fetched page hands back, in characters (the rest is cut with a note). */
    fetchMaxChars: z.coerce.number().int().min(256).max(1_000_000).default(30_000),
    sandbox: sandboxSettings.prefault({}),
  })
  .prefault({});

/** MCP servers the operator configures, and limits for every MCP connection. */
export const mcpSettings = z
  .object({
    /**
     * Admin MCP servers. From the config file: streamable HTTP, SSE or stdio. From
     * COLLOQUY_MCP_SERVERS (a JSON array): streamable HTTP and SSE only, never a process.
     */
    servers: mcpServersSetting.default([]),
    /** Longest wait for one MCP request (connect, list, call). */
    callTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(60_000),
    /** How long a server's tool list is reused before it is asked again. */
    toolListCacheSeconds: z.coerce.number().int().min(0).max(86_400).default(60),
    /** Largest MCP response body read, in bytes. */
    maxResponseBytes: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(8 * 1024 * 1024),
    /** Longest tool output handed to a model, in characters (the rest is cut with a note). */
    maxOutputChars: z.coerce.number().int().min(256).max(10_000_000).default(100_000),
    /** Most MCP servers one user may add. */
    maxServersPerUser: z.coerce.number().int().min(0).max(1000).default(20),
  })
  .prefault({});

/** LobeChat's plugin gateway (`POST /webapi/plugin/gateway`). */
export const pluginSettings = z
  .object({
    /** Time allowed for a plugin's API call (and for fetching its OpenAPI document). */
    gatewayTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(30_000),
    /** Largest plugin API answer or OpenAPI document read, in bytes. */
    gatewayMaxResponseBytes: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  })
  .prefault({});
