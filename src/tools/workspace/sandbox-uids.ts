import { createHash } from 'node:crypto';
import { chown, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Mutex } from 'async-mutex';
import { WorkspacePathError } from './workspace-paths.ts';

export interface SandboxUidOptions {
  /** The folder holding one workspace per user. */
  root: string;
  /** Uids handed out, one per user. */
  range: { first: number; last: number };
  /** Deprecated `shellSandboxUid`: every user shares this one (and its process limit). */
  sharedUid?: number;
}

/**
 * Which uid runs each user's shell sandbox (under root). The owner of the workspace folder is
 * the record: a folder owned by a uid of the range keeps it, so the mapping survives restarts
 * and needs no table, and the workspace's ownership follows the uid by construction. A new
 * user (or a folder owned by a uid outside the range, such as the old shared 65534) gets the
 * uid its id hashes to, or the next free one: free meaning no other workspace folder is owned
 * by it. Allocation runs under one mutex, so two new users cannot take the same uid.
 */
export function createSandboxUids(options: SandboxUidOptions) {
  const { first, last } = options.range;
  const size = last - first + 1;
  const known = new Map<string, number>();
  const allocation = new Mutex();
  const inRange = (uid: number) => uid >= first && uid <= last;

  /** Uids of the range owning another user's workspace folder. */
  async function takenBesides(userId: string): Promise<Set<number>> {
    const taken = new Set<number>();
    for (const name of await readdir(options.root).catch(() => [] as string[])) {
      if (name === userId) continue;
      const info = await lstat(path.join(options.root, name)).catch(() => undefined);
      if (info?.isDirectory() && inRange(info.uid)) taken.add(info.uid);
    }
    return taken;
  }

  function preferred(userId: string): number {
    return first + (createHash('sha256').update(userId).digest().readUInt32BE(0) % size);
  }

  return {
    /** The uid of this user's sandbox; the workspace folder (already created) is given to it. */
    async uidFor(userId: string, folder: string): Promise<number> {
      if (options.sharedUid !== undefined) return options.sharedUid;
      const cached = known.get(userId);
      if (cached !== undefined) return cached;
      return allocation.runExclusive(async () => {
        const again = known.get(userId);
        if (again !== undefined) return again;
        const taken = await takenBesides(userId);
        const owner = (await lstat(folder)).uid;
        let uid = inRange(owner) && !taken.has(owner) ? owner : undefined;
        for (let step = 0; uid === undefined && step < size; step += 1) {
          const candidate = first + ((preferred(userId) - first + step) % size);
          if (!taken.has(candidate)) uid = candidate;
        }
        if (uid === undefined) {
          throw new WorkspacePathError(
            `every sandbox uid of ${first}-${last} belongs to another workspace; the operator must widen tools.sandbox.shellUidRange`,
          );
        }
        if (owner !== uid) await chown(folder, uid, uid);
        known.set(userId, uid);
        return uid;
      });
    },
  };
}

export type SandboxUids = ReturnType<typeof createSandboxUids>;
