import { spawn } from 'node:child_process';
import { lchown, lstat, readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { bubblewrapArguments, type SandboxLimits } from './bubblewrap-command.ts';

/** The probe's uid under root (nobody): it runs `exit 0` in a workspace and owns nothing. */
const unprivilegedUid = 65_534;

export interface ShellRunnerOptions {
  limits: SandboxLimits;
  /** Whether the server runs as root: each run then drops to the uid it is given (its user's). */
  isRoot: boolean;
  timeoutMs: number;
  maxOutputBytes: number;
  /** The bwrap executable (a setting only in tests: pointing it elsewhere shows the refusal). */
  bwrapPath?: string;
}

export interface ShellOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outputTruncated: boolean;
  aborted: boolean;
}

/** Runs a finished sandbox command line; kills the whole sandbox on timeout, abort or too much output. */
function runBubblewrap(bwrapPath: string, args: string[], timeoutMs: number, maxOutputBytes: number, signal?: AbortSignal) {
  return new Promise<ShellOutcome>((resolve, reject) => {
    // Its own process group, so a kill reaches bwrap and, through --die-with-parent, the sandbox.
    // bwrap writes its sandbox's init pid (host numbering) to fd 3, so the end of the PID namespace can be awaited.
    const child = spawn(bwrapPath, ['--info-fd', '3', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: {} });
    let sandboxInit: { pid: number; start: string } | undefined;
    let info = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      info += chunk.toString('utf8');
      const pid = Number(/"child-pid":\s*(\d+)/.exec(info)?.[1]);
      if (sandboxInit || !pid) return;
      sandboxInit = { pid, start: '' };
      void processStart(pid).then((start) => {
        if (sandboxInit?.pid === pid) sandboxInit.start = start ?? '';
      });
    });
    const outcome: ShellOutcome = { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, outputTruncated: false, aborted: false };
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let bytes = 0;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      if (sandboxInit) void killIfSame(sandboxInit);
    };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const room = maxOutputBytes - bytes;
      if (chunk.length > room) {
        outcome.outputTruncated = true;
        kill();
      }
      if (room > 0) chunks[stream].push(chunk.subarray(0, room));
      bytes += Math.min(chunk.length, Math.max(room, 0));
    };
    child.stdout!.on('data', collect('stdout'));
    child.stderr!.on('data', collect('stderr'));
    const timer = setTimeout(() => {
      outcome.timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => {
      outcome.aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('close', (code, exitSignal) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome.exitCode = code;
      outcome.signal = exitSignal;
      outcome.stdout = Buffer.concat(chunks.stdout).toString('utf8');
      outcome.stderr = Buffer.concat(chunks.stderr).toString('utf8');
      void (sandboxInit ? namespaceEnded(sandboxInit) : Promise.resolve()).then(() => resolve(outcome));
    });
  });
}

/**
 * The start time (field 22 of /proc/<pid>/stat) of a live bwrap process, which tells a reused
 * pid apart; undefined when the process is gone, a zombie, or not bwrap.
 */
async function processStart(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat || !stat.startsWith(`${pid} (bwrap) `)) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
}

async function killIfSame(init: { pid: number; start: string }): Promise<void> {
  if (init.start && (await processStart(init.pid)) === init.start) {
    try {
      process.kill(init.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Waits until the sandbox's init is a zombie or gone. The kernel lets a PID namespace's init
 * finish exiting only after every other process in it has died, so afterwards no process of the
 * run can touch the workspace any more. bwrap normally exits after its init; when bwrap was
 * killed, its init gets SIGKILL through --die-with-parent (and from here).
 */
async function namespaceEnded(init: { pid: number; start: string }): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const start = await processStart(init.pid);
    if (start === undefined || (init.start && start !== init.start)) return;
    await killIfSame(init);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Under root the sandbox runs as `uid`: gives it the workspace. The caller holds the user's
 * workspace lock, so no sandbox process of that user runs during the walk; still, the walk
 * never follows a symlink (links are lchown-ed themselves, never entered) and enters only
 * folders whose real path is the one it expects, inside the workspace.
 */
export async function giveToSandboxUser(folder: string, uid: number): Promise<void> {
  const root = await realpath(folder);
  const pending = [root];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const info = await lstat(current).catch(() => undefined);
    if (!info) continue;
    if (info.uid !== uid || info.gid !== uid) await lchown(current, uid, uid).catch(() => undefined);
    if (!info.isDirectory()) continue;
    const real = await realpath(current).catch(() => undefined);
    if (real !== current || !(real === root || real.startsWith(root + path.sep))) continue;
    for (const name of await readdir(current).catch(() => [])) pending.push(path.join(current, name));
  }
}

/**
 * Shell commands in bubblewrap. Whether bwrap works here is probed once (it needs user or
 * mount namespaces); when it does not, every run answers `unavailable` and nothing runs.
 */
export function createShellRunner(options: ShellRunnerOptions) {
  const bwrapPath = options.bwrapPath ?? 'bwrap';
  let probe: Promise<string | undefined> | undefined;

  async function probeSandbox(folder: string): Promise<string | undefined> {
    try {
      const outcome = await runBubblewrap(bwrapPath, bubblewrapArguments(folder, 'exit 0', options.limits, { isRoot: options.isRoot, uid: unprivilegedUid }), 20_000, 4096);
      if (outcome.exitCode === 0) return undefined;
      return `bubblewrap cannot create its sandbox here (${outcome.stderr.trim() || `exit ${outcome.exitCode ?? outcome.signal}`})`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? 'bubblewrap (bwrap) is not installed on the server' : `bubblewrap failed: ${(error as Error).message}`;
    }
  }

  return {
    /** Why the sandbox cannot run, or undefined when it can. */
    async unavailableReason(folder: string): Promise<string | undefined> {
      probe ??= probeSandbox(folder);
      return probe;
    },
    /**
     * Runs a command in `folder`; the caller holds the user's workspace lock for the whole call.
     * `maxFileBytes` lowers the largest file a process may write (the room left in the quota).
     */
    async run(
      folder: string,
      command: string,
      run: { signal?: AbortSignal; maxFileBytes?: number; uid?: number } = {},
    ): Promise<ShellOutcome | { unavailable: string }> {
      const { signal, maxFileBytes } = run;
      const identity = { isRoot: options.isRoot, uid: run.uid ?? unprivilegedUid };
      if (options.isRoot && run.uid === undefined) throw new Error('a shell run under root needs the uid of its sandbox');
      if (options.isRoot) await giveToSandboxUser(folder, identity.uid);
      const reason = await this.unavailableReason(folder);
      if (reason) return { unavailable: reason };
      const limits = { ...options.limits, maxFileBytes: Math.max(0, Math.min(options.limits.maxFileBytes, maxFileBytes ?? Infinity)) };
      const args = bubblewrapArguments(folder, command, limits, identity);
      return runBubblewrap(bwrapPath, args, options.timeoutMs, options.maxOutputBytes, signal);
    },
  };
}

export type ShellRunner = ReturnType<typeof createShellRunner>;
