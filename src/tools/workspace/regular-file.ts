import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { noFollowFlag, WorkspacePathError } from './workspace-paths.ts';

/** What a non-regular file is, in words for the refusal. */
function kindOf(info: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean }): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device node';
  if (info.isDirectory()) return 'a folder';
  return 'not a plain file';
}

const notRegular = (relative: string, kind: string) =>
  new WorkspacePathError(`${relative} is not a regular file (it is ${kind}); only regular files can be read`);

/**
 * Opens a workspace file for reading, refusing anything but a regular file. `O_NONBLOCK` makes
 * the open of a FIFO with no writer return at once (a blocking open would hold a libuv thread
 * and the user's workspace lock for ever); the type is then checked on the open descriptor, so
 * nothing swapped in after a path check is read. A socket fails the open with ENXIO.
 * The caller closes the handle.
 */
export async function openRegularFile(absolute: string, relative: string): Promise<{ handle: FileHandle; size: number }> {
  const handle = await open(absolute, constants.O_RDONLY | constants.O_NONBLOCK | noFollowFlag).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new WorkspacePathError(`${relative} does not exist`);
    if (error.code === 'ELOOP') throw new WorkspacePathError(`${relative} is a symlink; symlinks are not followed`);
    if (error.code === 'ENXIO' || error.code === 'EOPNOTSUPP') throw notRegular(relative, 'a socket or a device without a driver');
    if (error.code === 'EISDIR') throw notRegular(relative, 'a folder');
    throw error;
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegular(relative, kindOf(info));
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
