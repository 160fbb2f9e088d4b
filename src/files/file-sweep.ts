import type { DiagnosticLog } from '../diagnostics.ts';
import type { FilesRepository } from '../storage/repositories/files-repository.ts';
import type { BlobStorage, BlobStore } from './blob-store.ts';
import type { LocalBlobStore } from './local-blob-store.ts';

export interface FileSweepOptions {
  repository: FilesRepository;
  stores: Record<BlobStorage, BlobStore>;
  local: LocalBlobStore;
  clock: () => Date;
  log: DiagnosticLog;
  /**
   * Only leftovers older than this are removed: an upload stages its bytes moments before it
   * records them, and a delete removes them moments after, so younger ones may be in use.
   */
  graceMs: number;
}

/**
 * Removes what a crash or a failed removal left behind: blob records no file uses (with their
 * bytes), and files in the local folder no blob record points at. Safe to run on every instance.
 */
export async function sweepFileStore(options: FileSweepOptions): Promise<{ blobs: number; localFiles: number }> {
  const cutoff = new Date(options.clock().getTime() - options.graceMs);
  let blobs = 0;
  let localFiles = 0;
  for (;;) {
    const unused = await options.repository.listUnusedBlobs(cutoff.toISOString(), 200);
    let removedThisRound = 0;
    for (const candidate of unused) {
      const blob = await options.repository.deleteBlobIfUnused(candidate.userId, candidate.sha256);
      if (!blob) continue;
      await options.stores[blob.storage].remove({ userId: blob.userId, sha256: blob.sha256 }, blob.location);
      removedThisRound += 1;
    }
    blobs += removedThisRound;
    if (unused.length < 200 || removedThisRound === 0) break;
  }
  for await (const entry of options.local.listFiles()) {
    if (entry.modifiedAt.getTime() >= cutoff.getTime()) continue;
    const blob = await options.repository.findBlob(entry.key.userId, entry.key.sha256);
    if (blob?.storage === 'local' && blob.location === entry.location) continue;
    await options.local.removeLocation(entry.location);
    localFiles += 1;
  }
  if (blobs + localFiles > 0) {
    options.log.warn({ blobs, localFiles }, `file store sweep removed ${blobs} unused blob(s) and ${localFiles} orphaned local file(s)`);
  }
  return { blobs, localFiles };
}
