import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chown, lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { openRegularFile } from './regular-file.ts';
import type { SandboxUids } from './sandbox-uids.ts';
import { createUserLocks } from './workspace-lock.ts';
import { ensureWorkspaceFolder, noFollowFlag, resolveInside, WorkspacePathError } from './workspace-paths.ts';

export interface WorkspaceStoreOptions {
  /** Folder holding one sub-folder per user. */
  root: string;
  quotaBytes: number;
  /** Most files, folders and other entries one workspace may hold (empty files cost no bytes). */
  maxEntries: number;
  /** Under root: the uid of each user's shell sandbox, to which written files and folders are given. */
  sandboxUids?: SandboxUids;
}

export interface WorkspaceFile {
  /** Relative to the workspace, `/`-separated. */
  path: string;
  data: Uint8Array;
}

export interface WorkspaceEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
}

/** Most entries one walk visits (at least the entry cap and one more), so a huge tree cannot stall the server. */
const minWalkEntries = 100_000;

/**
 * Per-user workspace folders with a byte quota. Every path goes through `resolveInside`;
 * writes go to a temporary file in the same folder and are renamed into place once the quota
 * allows the new size. Every operation holds the user's lock (see `workspace-lock.ts`), so two
 * writes cannot both pass the quota and no path check overlaps a shell run of that user.
 */
export function createWorkspaceStore(options: WorkspaceStoreOptions) {
  const locks = createUserLocks();
  const maxWalkEntries = Math.max(minWalkEntries, options.maxEntries + 1);

  async function walk(root: string, from = '.', recursive = true): Promise<WorkspaceEntry[]> {
    const found: WorkspaceEntry[] = [];
    const pending = [from];
    while (pending.length > 0 && found.length < maxWalkEntries) {
      const relativeFolder = pending.shift()!;
      const names = await readdir(path.join(root, relativeFolder)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const relative = relativeFolder === '.' ? name : `${relativeFolder}/${name}`;
        const info = await lstat(path.join(root, relative)).catch(() => undefined);
        if (!info) continue;
        const type = info.isFile() ? 'file' : info.isDirectory() ? 'directory' : info.isSymbolicLink() ? 'symlink' : 'other';
        found.push({ path: relative, type, size: type === 'file' ? info.size : 0 });
        if (type === 'directory' && recursive) pending.push(relative);
      }
    }
    return found;
  }

  const usageOf = async (root: string) => (await walk(root)).reduce((total, entry) => total + entry.size, 0);
  const entriesOf = async (root: string) => (await walk(root)).length;

  /** The entries a write of these paths would add: each missing file and each missing folder on the way. */
  async function missingEntries(root: string, relatives: readonly string[]): Promise<number> {
    const missing = new Set<string>();
    for (const relative of relatives) {
      const parts = relative.split('/');
      for (let depth = 1; depth <= parts.length; depth += 1) {
        const partial = parts.slice(0, depth).join('/');
        if (missing.has(partial)) continue;
        const exists = await lstat(path.join(root, partial)).then(() => true, () => false);
        if (!exists) missing.add(partial);
      }
    }
    return missing.size;
  }

  async function sizeOfFile(absolute: string): Promise<number> {
    const info = await lstat(absolute).catch(() => undefined);
    if (info?.isDirectory()) throw new WorkspacePathError('a folder already has that name');
    return info?.isFile() ? info.size : 0;
  }

  async function giveToSandbox(target: string, uid: number | undefined): Promise<void> {
    if (uid !== undefined) await chown(target, uid, uid);
  }

  async function makeFolders(root: string, relativeFolder: string, uid: number | undefined): Promise<void> {
    if (relativeFolder === '.') return;
    let current = root;
    for (const part of relativeFolder.split('/')) {
      current = path.join(current, part);
      const created = await mkdir(current, { mode: 0o750 }).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
          return false;
        },
      );
      if (created) await giveToSandbox(current, uid);
    }
    await resolveInside(root, relativeFolder);
  }

  /** Writes through a temporary file; the quota is checked again, with the file written, before the rename. */
  async function writeAtomically(root: string, absolute: string, data: Uint8Array, sizeBefore: number, uid: number | undefined): Promise<void> {
    const temporary = path.join(path.dirname(absolute), `.colloquy-${randomBytes(8).toString('hex')}.tmp`);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | noFollowFlag;
    const handle = await open(temporary, flags, 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await giveToSandbox(temporary, uid);
      const usage = await usageOf(root);
      if (usage - sizeBefore > options.quotaBytes) throw quotaError(usage - sizeBefore);
      await rename(temporary, absolute);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  const quotaError = (needed: number) =>
    new WorkspacePathError(
      `workspace quota exceeded: this would use ${needed} bytes of ${options.quotaBytes}; nothing was written`,
    );

  async function writeAll(root: string, files: readonly WorkspaceFile[], uid: number | undefined): Promise<void> {
    await giveToSandbox(root, uid);
    const targets = [];
    for (const file of files) targets.push({ ...(await resolveInside(root, file.path)), data: file.data });
    let projected = await usageOf(root);
    const sizesBefore = new Map<string, number>();
    for (const target of targets) {
      const before = sizesBefore.get(target.absolute) ?? (await sizeOfFile(target.absolute));
      sizesBefore.set(target.absolute, target.data.byteLength);
      projected += target.data.byteLength - before;
    }
    if (projected > options.quotaBytes) throw quotaError(projected);
    const added = await missingEntries(root, targets.map((target) => target.relative));
    if (added > 0) {
      const entries = (await entriesOf(root)) + added;
      if (entries > options.maxEntries) {
        throw new WorkspacePathError(
          `workspace entry limit exceeded: this would make ${entries} files and folders of at most ${options.maxEntries}; nothing was written. Delete some first`,
        );
      }
    }
    for (const target of targets) {
      await makeFolders(root, path.posix.dirname(target.relative), uid);
      const { absolute } = await resolveInside(root, target.relative);
      await writeAtomically(root, absolute, target.data, await sizeOfFile(absolute), uid);
    }
  }

  async function list(root: string, requested: string, recursive: boolean): Promise<WorkspaceEntry[]> {
    const { relative, absolute } = await resolveInside(root, requested);
    if (!(await lstat(absolute)).isDirectory()) throw new WorkspacePathError(`${relative} is not a folder`);
    return walk(root, relative, recursive);
  }

  async function read(root: string, requested: string, maxBytes: number): Promise<{ data: Buffer; size: number }> {
    const { absolute, relative } = await resolveInside(root, requested);
    const { handle, size } = await openRegularFile(absolute, relative);
    try {
      const buffer = Buffer.alloc(Math.min(size, maxBytes));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return { data: buffer.subarray(0, bytesRead), size };
    } finally {
      await handle.close();
    }
  }

  async function typeOf(root: string, requested: string): Promise<WorkspaceEntry['type'] | null> {
    const { absolute } = await resolveInside(root, requested);
    const info = await lstat(absolute).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (!info) return null;
    return info.isFile() ? 'file' : info.isDirectory() ? 'directory' : info.isSymbolicLink() ? 'symlink' : 'other';
  }

  async function snapshot(root: string): Promise<WorkspaceFile[]> {
    const files: WorkspaceFile[] = [];
    let total = 0;
    for (const entry of await list(root, '.', true)) {
      if (entry.type !== 'file' || total + entry.size > options.quotaBytes) continue;
      const { data } = await read(root, entry.path, entry.size);
      total += data.byteLength;
      files.push({ path: entry.path, data });
    }
    return files;
  }

  /** The operations of one user's workspace, for code that already holds that user's lock. */
  const viewOf = (root: string, uid: number | undefined): WorkspaceView => ({
    /** The real path of the workspace. */
    folder: root,
    sandboxUid: uid,
    resolve: (requested: string) => resolveInside(root, requested),
    usage: () => usageOf(root),
    entries: () => entriesOf(root),
    list: (requested: string, recursive: boolean) => list(root, requested, recursive),
    /** Reads at most `maxBytes` of a regular file, never through a symlink. */
    read: (requested: string, maxBytes: number) => read(root, requested, maxBytes),
    /** The type of what is at a path (a symlink is not followed), or null when nothing is. */
    typeOf: (requested: string) => typeOf(root, requested),
    /** Every regular file (no symlinks), for copying into a sandbox; at most the quota in bytes. */
    snapshot: () => snapshot(root),
    /** Writes files (all or none pass the quota), each atomically. */
    write: (files: readonly WorkspaceFile[]) => writeAll(root, files, uid),
  });

  /** Runs `work` holding the user's lock, with the user's workspace (created when missing). */
  function exclusive<T>(userId: string, work: (workspace: WorkspaceView) => Promise<T>): Promise<T> {
    return locks.hold(userId, async () => {
      const folder = await ensureWorkspaceFolder(options.root, userId);
      return work(viewOf(folder, await options.sandboxUids?.uidFor(userId, folder)));
    });
  }

  return {
    quotaBytes: options.quotaBytes,
    maxEntries: options.maxEntries,
    exclusive,
    usage: (userId: string) => exclusive(userId, (workspace) => workspace.usage()),
    list: (userId: string, requested: string, recursive: boolean) => exclusive(userId, (workspace) => workspace.list(requested, recursive)),
    read: (userId: string, requested: string, maxBytes: number) => exclusive(userId, (workspace) => workspace.read(requested, maxBytes)),
    typeOf: (userId: string, requested: string) => exclusive(userId, (workspace) => workspace.typeOf(requested)),
    snapshot: (userId: string) => exclusive(userId, (workspace) => workspace.snapshot()),
    write: (userId: string, files: readonly WorkspaceFile[]) => exclusive(userId, (workspace) => workspace.write(files)),
  };
}

export type WorkspaceView = {
  folder: string;
  /** The uid this user's shell sandbox runs as (under root), which owns the workspace. */
  sandboxUid: number | undefined;
  resolve(requested: string): Promise<{ absolute: string; relative: string }>;
  usage(): Promise<number>;
  /** How many files, folders and other entries the workspace holds (counted up to the cap and one more at least). */
  entries(): Promise<number>;
  list(requested: string, recursive: boolean): Promise<WorkspaceEntry[]>;
  read(requested: string, maxBytes: number): Promise<{ data: Buffer; size: number }>;
  typeOf(requested: string): Promise<WorkspaceEntry['type'] | null>;
  snapshot(): Promise<WorkspaceFile[]>;
  write(files: readonly WorkspaceFile[]): Promise<void>;
};

export type WorkspaceStore = ReturnType<typeof createWorkspaceStore>;
