import type { Redis } from 'ioredis';
import type { Database } from '../database.ts';
import { createLocalLease, type Lease } from './lease.ts';
import { createPostgresLease } from './postgres-lease.ts';
import { createRedisLease } from './redis-lease.ts';

/**
 * Redis when configured (it is where the scaled-out job queue will live, and a Redis lease holds
 * no database connection for the length of a run), else a PostgreSQL advisory lock, else (one
 * SQLite process) the local lease.
 */
export function createLease(options: {
  database: Database;
  redis?: Redis;
  keyPrefix: string;
  reportError?: (error: unknown) => void;
}): Lease {
  if (options.redis) return createRedisLease(options.redis, { keyPrefix: options.keyPrefix, reportError: options.reportError });
  if (options.database.dialect === 'postgres') return createPostgresLease(options.database.db);
  return createLocalLease();
}
