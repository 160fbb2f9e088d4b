import path from 'node:path';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { DiagnosticLog } from '../diagnostics.ts';
import type { Database } from '../storage/database.ts';
import { createLocalLease, type Lease, type LeaseOutcome } from '../storage/leases/lease.ts';
import { createFilesRepository } from '../storage/repositories/files-repository.ts';
import type { BlobStorage, BlobStore } from './blob-store.ts';
import { createDatabaseBlobStore } from './database-blob-store.ts';
import { createFileService } from './file-service.ts';
import { sweepFileStore } from './file-sweep.ts';
import { createLocalBlobStore } from './local-blob-store.ts';

// An orphan is removed by the first run after it is an hour old: between one and seven hours after
// it was left (the first run comes a minute after start, then one every six hours).
const sweepGraceMs = 60 * 60 * 1000;
const firstSweepAfterMs = 60 * 1000;
const sweepEveryMs = 6 * 60 * 60 * 1000;
export const fileSweepLeaseName = 'file-sweep';

/** Where new bytes go unless configured: a local folder for SQLite, the database when shared. */
export function defaultBlobStorage(dialect: Database['dialect']): BlobStorage {
  return dialect === 'postgres' ? 'database' : 'local';
}

/**
 * The file store and its housekeeping. Both stores are always readable (a blob record says where
 * its bytes are), so changing `files.store` later strands nothing; only new bytes follow it.
 */
export function createFileModule(options: {
  database: Database;
  config: Pick<ResolvedConfig, 'dataDir' | 'files'>;
  newId: () => string;
  clock: () => Date;
  log: DiagnosticLog;
  /** One instance of a deployment sweeps at a time (the local lease when absent: one process). */
  lease?: Lease;
}) {
  const { database, config, clock, log } = options;
  const lease = options.lease ?? createLocalLease();
  const repository = createFilesRepository(database.db);
  const local = createLocalBlobStore(path.resolve(config.dataDir, config.files.dir ?? 'files'));
  const stores: Record<BlobStorage, BlobStore> = { local, database: createDatabaseBlobStore(repository) };
  const storage = config.files.store ?? defaultBlobStorage(database.dialect);
  const service = createFileService({
    db: database.db,
    activeStore: stores[storage],
    stores,
    newId: options.newId,
    clock,
    log,
    settings: {
      maxFileBytes: config.files.maxFileBytes,
      userQuotaBytes: config.files.userQuotaBytes,
      promptTextMaxChars: config.files.promptTextMaxChars,
      promptMaxFiles: config.files.promptMaxFiles,
      promptMaxBytes: config.files.promptMaxBytes,
    },
  });

  let running: Promise<unknown> | undefined;
  const sweep = (graceMs = sweepGraceMs) => sweepFileStore({ repository, stores, local, clock, log, graceMs });
  const sweepUnderLease = (): Promise<LeaseOutcome<Awaited<ReturnType<typeof sweep>>>> => lease.run(fileSweepLeaseName, () => sweep());
  const runInBackground = () => {
    if (running) return;
    running = sweepUnderLease()
      .catch((error: unknown) => log.error({ err: error }, 'the file store sweep failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(runInBackground, firstSweepAfterMs);
  const timer = setInterval(runInBackground, sweepEveryMs);
  first.unref?.();
  timer.unref?.();

  return {
    service,
    storage,
    /** Runs the orphan sweep now, without the lease (tests). */
    sweep,
    /** One run as the timer does it: under the lease, skipped while another instance sweeps. */
    sweepUnderLease,
    async close() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

export type FileModule = ReturnType<typeof createFileModule>;
