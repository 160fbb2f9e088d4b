import { Mutex } from 'async-mutex';

/**
 * One async mutex per user id, held by every operation on that user's workspace.
 *
 * Why a lock, and why it is enough: the file tools resolve a path (realpath, lstat) and then
 * use the path string, so something that swaps a folder for a symlink in between could lead
 * them outside the workspace. The only thing that changes a workspace behind the server's back
 * is a `shell_execute` run of the same user, which writes straight into the host folder. A shell
 * run holds its user's lock for its whole duration, the ownership walks before and after
 * included, and the file tools and Python's copy-in/copy-out take the same lock, so no path
 * check and its use ever overlap a running sandbox. Between runs nothing is left behind: bwrap
 * runs with `--unshare-pid` and `--die-with-parent`, and the shell runner waits for the
 * sandbox's PID namespace to be gone (its init reaped, which the kernel only allows once every
 * process in it has died) before it releases the lock, so no background process of a run
 * survives it.
 */
export function createUserLocks() {
  // A user's mutex lives while someone holds or awaits it, so idle users leave nothing behind.
  const held = new Map<string, { mutex: Mutex; users: number }>();

  return {
    /** Runs `work` once every earlier holder of `userId`'s lock has finished; answers its result. */
    async hold<T>(userId: string, work: () => Promise<T>): Promise<T> {
      let entry = held.get(userId);
      if (!entry) {
        entry = { mutex: new Mutex(), users: 0 };
        held.set(userId, entry);
      }
      entry.users += 1;
      try {
        return await entry.mutex.runExclusive(work);
      } finally {
        entry.users -= 1;
        if (entry.users === 0) held.delete(userId);
      }
    },
  };
}

export type UserLocks = ReturnType<typeof createUserLocks>;
