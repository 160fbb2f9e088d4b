import { spawn } from 'node:child_process';
import { lchown, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { bubblewrapArguments, type SandboxIdentity, type SandboxLimits } from './bubblewrap-command.ts';

export interface ShellRunnerOptions {
  limits: SandboxLimits;
  identity: SandboxIdentity;
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
    const child = spawn(bwrapPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    const outcome: ShellOutcome = { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, outputTruncated: false, aborted: false };
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let bytes = 0;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
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
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
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
      resolve(outcome);
    });
  });
}

/** Under root the sandbox runs as `uid`: the workspace (never through a symlink) must be its own. */
async function giveToSandboxUser(folder: string, uid: number): Promise<void> {
  const pending = [folder];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const info = await lstat(current).catch(() => undefined);
    if (!info) continue;
    if (info.uid !== uid) await lchown(current, uid, uid).catch(() => undefined);
    if (info.isDirectory()) for (const name of await readdir(current).catch(() => [])) pending.push(path.join(current, name));
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
      const outcome = await runBubblewrap(bwrapPath, bubblewrapArguments(folder, 'exit 0', options.limits, options.identity), 20_000, 4096);
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
    async run(folder: string, command: string, signal?: AbortSignal): Promise<ShellOutcome | { unavailable: string }> {
      if (options.identity.isRoot) await giveToSandboxUser(folder, options.identity.uid);
      const reason = await this.unavailableReason(folder);
      if (reason) return { unavailable: reason };
      const args = bubblewrapArguments(folder, command, options.limits, options.identity);
      return runBubblewrap(bwrapPath, args, options.timeoutMs, options.maxOutputBytes, signal);
    },
  };
}

export type ShellRunner = ReturnType<typeof createShellRunner>;
