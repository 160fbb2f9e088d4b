import { constants } from 'node:fs';
import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';

/** A path a tool was refused, with the reason the model or user is told. */
export class WorkspacePathError extends Error {
  override name = 'WorkspacePathError';
}

/** Opens the final component without following a symlink there (Linux and macOS). */
export const noFollowFlag = constants.O_NOFOLLOW ?? 0;

const safeUserId = /^[A-Za-z0-9_-]{1,128}$/;

/** The folder of one user's workspace under the root; user ids are never taken as paths. */
export function userWorkspaceFolder(root: string, userId: string): string {
  if (!safeUserId.test(userId)) throw new WorkspacePathError('this account has no usable workspace');
  return path.join(root, userId);
}

/** Creates the user's folder when missing and answers its real path. */
export async function ensureWorkspaceFolder(root: string, userId: string): Promise<string> {
  const folder = userWorkspaceFolder(root, userId);
  await mkdir(folder, { recursive: true, mode: 0o750 });
  const info = await lstat(folder);
  if (!info.isDirectory()) throw new WorkspacePathError('the workspace folder is not a directory');
  return realpath(folder);
}

/** Linux's limits (NAME_MAX, PATH_MAX); longer names only fail later, inside the file system. */
const maxNameBytes = 255;
const maxPathBytes = 4096;

/**
 * Checks a path the model gave, relative to the workspace: no absolute paths, no `..`, no NUL
 * bytes, no backslashes, no over-long names. Answers the normalised relative path (`.` for the workspace itself).
 */
export function checkRelativePath(requested: string): string {
  if (Buffer.byteLength(requested) > maxPathBytes) {
    throw new WorkspacePathError(`paths may be at most ${maxPathBytes} bytes long; give a shorter path`);
  }
  if (requested.includes('\0')) throw new WorkspacePathError('paths may not contain NUL bytes');
  if (requested.includes('\\')) throw new WorkspacePathError('use / to separate folders, not \\');
  if (path.posix.isAbsolute(requested) || /^[A-Za-z]:/.test(requested)) {
    throw new WorkspacePathError(`absolute paths are refused; give a path relative to your workspace (not ${requested})`);
  }
  const parts = requested.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new WorkspacePathError('paths may not contain ..; stay inside your workspace');
  if (parts.some((part) => Buffer.byteLength(part) > maxNameBytes)) {
    throw new WorkspacePathError(`file and folder names may be at most ${maxNameBytes} bytes long; give a shorter name`);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

const isInside = (root: string, candidate: string) => candidate === root || candidate.startsWith(root + path.sep);

async function realpathIfExists(target: string): Promise<string | undefined> {
  try {
    return await realpath(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Resolves a relative path inside the workspace whose real path is `root`. The deepest existing
 * ancestor is resolved through symlinks and must stay inside; an existing final component that
 * is a symlink is refused outright, wherever it points.
 */
export async function resolveInside(root: string, requested: string): Promise<{ absolute: string; relative: string }> {
  const relative = checkRelativePath(requested);
  const absolute = relative === '.' ? root : path.join(root, relative);
  let existing = absolute;
  let resolved = await realpathIfExists(existing);
  while (resolved === undefined) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
    resolved = await realpathIfExists(existing);
  }
  if (resolved === undefined || !isInside(root, resolved)) {
    throw new WorkspacePathError(`${relative} leads outside your workspace (through a symlink)`);
  }
  if (existing === absolute && absolute !== root) {
    const info = await lstat(absolute);
    if (info.isSymbolicLink()) throw new WorkspacePathError(`${relative} is a symlink; symlinks are not followed`);
  }
  return { absolute, relative };
}
