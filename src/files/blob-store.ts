import type { FilesRepository } from '../storage/repositories/files-repository.ts';

export type BlobStorage = 'local' | 'database';

/** Which user's contents: blobs are per user, so one user's uploads never reveal another's. */
export interface BlobKey {
  userId: string;
  sha256: string;
}

/** Bytes written ahead of the database transaction that records them. */
export interface StagedBlob {
  /** What the blob record's `location` column holds (local store: the file's path; else null). */
  readonly location: string | null;
  /** Runs inside the transaction that inserts the blob record (the database store writes the bytes here). */
  commit(repository: FilesRepository): Promise<void>;
  /** The transaction failed, or the record already existed: remove what `stage` wrote. */
  discard(): Promise<void>;
}

/**
 * Where file bytes live. Writing is two-phase so that a row never exists without its bytes and
 * bytes never outlive a failed insert: `stage` outside the transaction, `commit` inside it, and
 * `discard` when the transaction did not use them.
 */
export interface BlobStore {
  readonly storage: BlobStorage;
  stage(key: BlobKey, bytes: Uint8Array): Promise<StagedBlob>;
  /** The bytes of a committed blob; undefined when they are missing (a fault, not a user error). */
  read(key: BlobKey, location: string | null): Promise<Uint8Array | undefined>;
  /** After the blob record's deletion committed (the database store's bytes went with it). */
  remove(key: BlobKey, location: string | null): Promise<void>;
}
