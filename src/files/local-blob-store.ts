import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { BlobKey, BlobStore } from './blob-store.ts';

const safeSegment = /^[A-Za-z0-9_-]{1,128}$/;
const hexDigest = /^[0-9a-f]{64}$/;
/** `<user id>/<first two hex digits>/<sha256>-<nonce>`, relative to the store's folder. */
const locationPattern = /^([A-Za-z0-9_-]{1,128})\/([0-9a-f]{2})\/([0-9a-f]{64})-([0-9a-f]{16})$/;

export interface LocalBlobStore extends BlobStore {
  readonly root: string;
  /** Every blob file under the folder, with its age, for the orphan sweep. */
  listFiles(): AsyncGenerator<{ location: string; key: BlobKey; modifiedAt: Date }>;
  /** Deletes a file found by `listFiles` (an orphan or a leftover). */
  removeLocation(location: string): Promise<void>;
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

/**
 * Bytes as files under a local folder (embedded mode's `<dataDir>/files`). Each blob record gets
 * its own file name (a random suffix), so removing one record's file can never remove bytes that
 * a concurrent upload of the same contents has just committed.
 */
export function createLocalBlobStore(root: string): LocalBlobStore {
  const resolve = (location: string): string => {
    if (!locationPattern.test(location)) throw new Error(`not a local blob location: ${location}`);
    return path.join(root, ...location.split('/'));
  };
  const removeLocation = async (location: string): Promise<void> => {
    await unlink(resolve(location)).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  };

  return {
    storage: 'local',
    root,

    async stage(key, bytes) {
      if (!safeSegment.test(key.userId) || !hexDigest.test(key.sha256)) throw new Error('invalid blob key');
      const location = `${key.userId}/${key.sha256.slice(0, 2)}/${key.sha256}-${randomBytes(8).toString('hex')}`;
      const file = resolve(location);
      await mkdir(path.dirname(file), { recursive: true });
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        // On disk before the record that points at it commits.
        await handle.datasync();
      } catch (error) {
        await handle.close();
        await unlink(file).catch(() => {});
        throw error;
      }
      await handle.close();
      return {
        location,
        commit: async () => {},
        discard: () => removeLocation(location),
      };
    },

    async read(_key, location) {
      if (location === null) return undefined;
      try {
        return await readFile(resolve(location));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async remove(_key, location) {
      if (location !== null) await removeLocation(location);
    },

    removeLocation,

    async *listFiles() {
      const users = await readdir(root, { withFileTypes: true }).catch((error: unknown) => {
        if (isMissing(error)) return [];
        throw error;
      });
      for (const user of users) {
        if (!user.isDirectory() || !safeSegment.test(user.name)) continue;
        for (const prefix of await readdir(path.join(root, user.name), { withFileTypes: true })) {
          if (!prefix.isDirectory()) continue;
          for (const entry of await readdir(path.join(root, user.name, prefix.name), { withFileTypes: true })) {
            const location = `${user.name}/${prefix.name}/${entry.name}`;
            const match = locationPattern.exec(location);
            if (!entry.isFile() || !match) continue;
            const info = await stat(resolve(location)).catch(() => undefined);
            if (!info) continue;
            yield { location, key: { userId: match[1]!, sha256: match[3]! }, modifiedAt: info.mtime };
          }
        }
      }
    },
  };
}
