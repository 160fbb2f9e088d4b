import { lstatSync, readlinkSync } from 'node:fs';

export interface SandboxLimits {
  memoryMb: number;
  maxProcesses: number;
  cpuSeconds: number;
  /** Largest file a process may write, in bytes. */
  maxFileBytes: number;
  /** Size of the sandbox's private /tmp, in bytes. */
  tmpBytes: number;
}

export interface SandboxIdentity {
  /** Whether the server runs as root: RLIMIT_NPROC never applies to root, so the command drops to `uid`. */
  isRoot: boolean;
  uid: number;
}

/** System folders mounted read-only; a top-level symlink (usr-merged /bin → usr/bin) is recreated as one. */
const systemFolders = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64'];
/** The few files from /etc that programs need; the rest of /etc stays out of the sandbox. */
const etcEntries = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/nsswitch.conf'];

function systemMounts(): string[] {
  const mounts: string[] = [];
  for (const folder of systemFolders) {
    const info = (() => {
      try {
        return lstatSync(folder);
      } catch {
        return undefined;
      }
    })();
    if (!info) continue;
    if (info.isSymbolicLink()) mounts.push('--symlink', readlinkSync(folder), folder);
    else mounts.push('--ro-bind', folder, folder);
  }
  for (const entry of etcEntries) mounts.push('--ro-bind-try', entry, entry);
  return mounts;
}

/**
 * The bwrap command line for one shell command: no network and fresh IPC, PID and UTS
 * namespaces, a clean environment, read-only system folders, a private /tmp, /proc and /dev,
 * and the user's workspace as the only writable folder (the working directory). Limits are
 * set with prlimit inside the sandbox; under root, setpriv first drops to an unprivileged uid.
 */
export function bubblewrapArguments(
  workspaceFolder: string,
  command: string,
  limits: SandboxLimits,
  identity: SandboxIdentity,
): string[] {
  // Root keeps the host user namespace (a new one would map the sandbox to root again);
  // setpriv then leaves root for good.
  const namespaces = identity.isRoot
    ? ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try']
    : ['--unshare-all'];
  const dropRoot = identity.isRoot
    ? ['setpriv', `--reuid=${identity.uid}`, `--regid=${identity.uid}`, '--clear-groups', '--bounding-set=-all', '--inh-caps=-all', '--']
    : [];
  const limitsCommand = [
    'prlimit',
    `--nproc=${limits.maxProcesses}`,
    `--as=${limits.memoryMb * 1024 * 1024}`,
    `--cpu=${limits.cpuSeconds}`,
    `--fsize=${limits.maxFileBytes}`,
    '--core=0',
    '--',
  ];
  return [
    ...namespaces,
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv', 'PATH', '/usr/local/bin:/usr/bin:/bin',
    '--setenv', 'HOME', '/workspace',
    '--setenv', 'LANG', 'C.UTF-8',
    ...systemMounts(),
    '--perms', '1777', '--size', String(limits.tmpBytes), '--tmpfs', '/tmp',
    '--proc', '/proc',
    '--dev', '/dev',
    '--bind', workspaceFolder, '/workspace',
    '--chdir', '/workspace',
    ...dropRoot,
    ...limitsCommand,
    '/bin/sh', '-c', command,
  ];
}
