import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DiagnosticLog } from '../diagnostics.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import { lockOwnerRow } from '../storage/row-locks.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import {
  createFilesRepository,
  isForeignKeyViolation,
  type FileRow,
  type FilesRepository,
  type StoredFile,
} from '../storage/repositories/files-repository.ts';
import type { BlobKey, BlobStorage, BlobStore } from './blob-store.ts';
import { decodeBase64, resolveMimeType, sanitiseFileName } from './file-content.ts';
import { assertUsableInChat, toPromptFile, type PromptFile } from './prompt-files.ts';

export interface FileServiceSettings {
  /** Largest file, in decoded bytes. */
  maxFileBytes: number;
  /** Bytes of distinct contents one user may keep; 0 for no limit. */
  userQuotaBytes: number;
  /** Longest text of one file handed to a model. */
  promptTextMaxChars: number;
  /** Most files one prompt may read, and their total bytes: one request never reads without bound. */
  promptMaxFiles: number;
  promptMaxBytes: number;
}

/** A stored file as callers see it (never where its bytes are). */
export interface FileInfo {
  id: string;
  userId: string;
  name: string;
  mimeType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

export interface FileUpload {
  name: string;
  /** As the client declared it; checked against the bytes. Absent or generic: sniffed. */
  mimeType?: string;
  bytes: Uint8Array;
  /** The size the client declared, when it did; must equal the bytes' length. */
  declaredSize?: number;
}

export interface Base64FileUpload {
  filename: string;
  mimeType?: string;
  size?: number;
  /** Base64 (or a `data:…;base64,` URL). */
  data: string;
}

export interface FileServiceDependencies {
  db: Kysely<DatabaseSchema>;
  /** New blobs go here; existing ones are read from the store their record names. */
  activeStore: BlobStore;
  stores: Record<BlobStorage, BlobStore>;
  newId: () => string;
  clock: () => Date;
  log: DiagnosticLog;
  settings: FileServiceSettings;
}

const toInfo = (file: FileRow): FileInfo => ({
  id: file.id,
  userId: file.userId,
  name: file.name,
  mimeType: file.mimeType,
  size: file.size,
  sha256: file.sha256,
  createdAt: file.createdAt,
});

const megabytes = (bytes: number): string => `${Number((bytes / (1024 * 1024)).toFixed(2))} MB`;

/**
 * The file store: uploads (deduplicated per user by SHA-256), metadata, bytes, deletion, and
 * files made ready for prompts. Every method takes the owner; another user's file is NOT_FOUND.
 */
export function createFileService(dependencies: FileServiceDependencies) {
  const { db, settings, log } = dependencies;
  const repository: FilesRepository = createFilesRepository(db);
  const limitText = `${settings.maxFileBytes} bytes (${megabytes(settings.maxFileBytes)})`;
  const tooLarge = (size: number) =>
    new AppError('PAYLOAD_TOO_LARGE', `the file is ${size} bytes; the largest file accepted is ${limitText}`);

  const findOwned = async (userId: string, id: string): Promise<StoredFile> => {
    const file = await repository.findForUser(userId, id);
    if (!file) throw notFound(`file ${id}`);
    return file;
  };

  const readBytes = async (file: StoredFile): Promise<Uint8Array> => {
    const bytes = await dependencies.stores[file.storage].read({ userId: file.userId, sha256: file.sha256 }, file.location);
    if (bytes === undefined) {
      log.error({ fileId: file.id, storage: file.storage }, 'the bytes of a stored file are missing');
      throw new AppError('INTERNAL_ERROR', `the contents of file ${file.id} are missing from the file store`);
    }
    return bytes;
  };

  const overQuota = (used: number, size: number) =>
    new AppError(
      'PAYLOAD_TOO_LARGE',
      `your files already use ${used} of your ${settings.userQuotaBytes} bytes (${megabytes(settings.userQuotaBytes)}); this ${size}-byte file does not fit, delete some files first`,
    );

  /** Spares staging a file that clearly does not fit; the check that holds is `checkQuotaLocked`. */
  const checkQuota = async (userId: string, size: number): Promise<void> => {
    if (settings.userQuotaBytes === 0) return;
    const used = await repository.storedBytesForUser(userId);
    if (used + size > settings.userQuotaBytes) throw overQuota(used, size);
  };

  /**
   * After the new blob row is written, inside its transaction, with the owner's row locked: a
   * concurrent upload of the same owner waits for this one and then counts its bytes, so parallel
   * uploads cannot all fit into the same free space. Throwing rolls the blob back.
   */
  const checkQuotaLocked = async (bound: FilesRepository, userId: string, size: number): Promise<void> => {
    const used = (await bound.storedBytesForUser(userId)) - size;
    if (used + size > settings.userQuotaBytes) throw overQuota(used, size);
  };

  /** One attempt at recording the file; a foreign-key violation means a concurrent delete took the blob. */
  const writeOnce = async (file: FileInfo, bytes: Uint8Array): Promise<void> => {
    const key: BlobKey = { userId: file.userId, sha256: file.sha256 };
    if (await repository.findBlob(key.userId, key.sha256)) {
      // The user already has these contents: only the row is new, and the foreign key
      // guarantees the blob is still there when it commits.
      await repository.insertFile(file);
      return;
    }
    await checkQuota(file.userId, bytes.length);
    const staged = await dependencies.activeStore.stage(key, bytes);
    let usedStaged = false;
    try {
      await db.transaction().execute(async (transaction) => {
        const bound = createFilesRepository(transaction);
        const limited = settings.userQuotaBytes > 0;
        if (limited) await lockOwnerRow(transaction, key.userId);
        usedStaged = await bound.insertBlobIfAbsent({
          ...key,
          size: bytes.length,
          storage: dependencies.activeStore.storage,
          location: staged.location,
          createdAt: file.createdAt,
        });
        if (usedStaged && limited) await checkQuotaLocked(bound, key.userId, bytes.length);
        if (usedStaged) await staged.commit(bound);
        await bound.insertFile(file);
      });
    } catch (error) {
      usedStaged = false;
      throw error;
    } finally {
      // A failed insert, or a concurrent upload that recorded the same contents first.
      if (!usedStaged) {
        await staged.discard().catch((error: unknown) => log.error({ err: error }, 'could not discard staged file bytes; the sweep will'));
      }
    }
  };

  const service = {
    settings,

    async upload(userId: string, input: FileUpload): Promise<FileInfo> {
      const { bytes } = input;
      if (bytes.length > settings.maxFileBytes) throw tooLarge(bytes.length);
      if (input.declaredSize !== undefined && input.declaredSize !== bytes.length) {
        throw validationError(
          `size says ${input.declaredSize} bytes but data decodes to ${bytes.length} bytes; send the file's exact byte length (or leave size out)`,
        );
      }
      const file: FileInfo = {
        id: dependencies.newId(),
        userId,
        name: sanitiseFileName(input.name),
        mimeType: resolveMimeType(input.mimeType, bytes),
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        createdAt: dependencies.clock().toISOString(),
      };
      for (let attempt = 1; ; attempt += 1) {
        try {
          await writeOnce(file, bytes);
          return file;
        } catch (error) {
          if (!isForeignKeyViolation(error) || attempt >= 3) throw error;
        }
      }
    },

    /** LLMChat's JSON upload: checks the declared size before decoding anything. */
    async uploadBase64(userId: string, input: Base64FileUpload): Promise<FileInfo> {
      if (input.size !== undefined && input.size > settings.maxFileBytes) throw tooLarge(input.size);
      // Base64 holds 3 bytes per 4 characters: refuse an oversized body before decoding it.
      if (Math.floor((input.data.length * 3) / 4) > settings.maxFileBytes + 3 * 1024) {
        throw tooLarge(Math.floor((input.data.length * 3) / 4));
      }
      const bytes = decodeBase64(input.data);
      return service.upload(userId, { name: input.filename, mimeType: input.mimeType, bytes, declaredSize: input.size });
    },

    async get(userId: string, id: string): Promise<FileInfo> {
      return toInfo(await findOwned(userId, id));
    },

    async list(userId: string, page: { limit: number; offset: number }): Promise<{ files: FileInfo[]; total: number }> {
      const { files, total } = await repository.listForUser(userId, page.limit, page.offset);
      return { files: files.map(toInfo), total };
    },

    async readContent(userId: string, id: string): Promise<{ file: FileInfo; bytes: Uint8Array }> {
      const file = await findOwned(userId, id);
      return { file: toInfo(file), bytes: await readBytes(file) };
    },

    /** Deletes the row, then the bytes if no other file of the user has them (the sweep retries a failure). */
    async delete(userId: string, id: string): Promise<FileInfo> {
      const file = await repository.deleteFile(userId, id);
      if (!file) throw notFound(`file ${id}`);
      try {
        const blob = await repository.deleteBlobIfUnused(userId, file.sha256);
        if (blob) await dependencies.stores[blob.storage].remove({ userId, sha256: blob.sha256 }, blob.location);
      } catch (error) {
        log.error({ err: error, fileId: id }, 'could not remove the bytes of a deleted file; the sweep will');
      }
      return toInfo(file);
    },

    /**
     * The user's files ready for a prompt, in the order asked (each id once): images as
     * `kind: 'image'`, UTF-8 text files as `kind: 'text'` with `text` (capped). NOT_FOUND for an
     * id the user does not own; VALIDATION_ERROR naming the usable types for anything else.
     */
    async readForPrompt(userId: string, fileIds: string[]): Promise<PromptFile[]> {
      const ids = [...new Set(fileIds)];
      if (ids.length > settings.promptMaxFiles) throw validationError(`attach at most ${settings.promptMaxFiles} files to one message`);
      const files = new Map((await repository.findManyForUser(userId, ids)).map((file) => [file.id, file]));
      const missing = ids.filter((id) => !files.has(id));
      if (missing.length > 0) throw notFound(`file ${missing.join(', ')}`);
      // Refuse an unusable type before reading anyone's bytes.
      for (const file of files.values()) assertUsableInChat(file);
      // Checked on the recorded sizes before any byte is read.
      const totalBytes = [...files.values()].reduce((sum, file) => sum + file.size, 0);
      if (totalBytes > settings.promptMaxBytes) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `the files attached to one message may hold at most ${settings.promptMaxBytes} bytes (${megabytes(settings.promptMaxBytes)}); these hold ${totalBytes}`,
        );
      }
      const ready: PromptFile[] = [];
      for (const id of ids) {
        const file = files.get(id)!;
        ready.push(toPromptFile(file, await readBytes(file), settings.promptTextMaxChars));
      }
      return ready;
    },
  };
  return service;
}

export type FileService = ReturnType<typeof createFileService>;
