import type { FilesRepository } from '../storage/repositories/files-repository.ts';
import type { BlobKey, BlobStore } from './blob-store.ts';

/**
 * Bytes in the `file_blob_contents` table: every instance sharing the database reads every file,
 * and the bytes commit in the same transaction as their record, so nothing is ever half-written.
 */
export function createDatabaseBlobStore(repository: FilesRepository): BlobStore {
  return {
    storage: 'database',
    async stage(key: BlobKey, bytes: Uint8Array) {
      return {
        location: null,
        commit: (transactionRepository) => transactionRepository.writeContents(key.userId, key.sha256, bytes),
        // Nothing was written outside the transaction; its rollback took the bytes with it.
        discard: async () => {},
      };
    },
    read: (key) => repository.readContents(key.userId, key.sha256),
    // The contents row goes with its blob record (ON DELETE CASCADE).
    remove: async () => {},
  };
}
