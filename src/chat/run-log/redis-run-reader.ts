import type { Redis } from 'ioredis';
import type { RunEvent } from '../run-log.ts';
import { assertReadCursor } from './assert-read-cursor.ts';
import type { RedisReaderPool } from './redis-reader-pool.ts';
import { redisRunKeys, runEventOf, streamIdOf, type StreamEntry } from './redis-run-keys.ts';

export interface RedisRunReaderContext {
  /** The shared command connection: only quick, non-blocking commands go here. */
  redis: Redis;
  pool: RedisReaderPool;
  keyPrefix: string;
  blockMs: number;
  isClosed(): boolean;
}

/** Entries fetched per XRANGE or XREAD, so a long backlog arrives in bounded replies. */
const batchSize = 500;

type XreadReply = Array<[key: string, entries: StreamEntry[]]> | null;

/**
 * The backlog comes over the shared connection with XRANGE, so replaying a finished run never
 * needs a connection of its own. Only a reader that catches up with a running run borrows a
 * pooled connection for XREAD BLOCK; aborting disconnects that connection, which ends the blocked
 * read at once instead of after the block timeout. Each timeout re-checks that the run still
 * exists, so readers of a run whose runner crashed end when its keys expire.
 */
export async function* readRedisRun(
  context: RedisRunReaderContext,
  runId: string,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<RunEvent> {
  if (context.isClosed()) throw new Error('the run log is closed');
  assertReadCursor(afterSeq);
  if (signal?.aborted) return;
  const keys = redisRunKeys(context.keyPrefix, runId);
  const stopped = () => signal?.aborted === true || context.isClosed();

  const replies = await context.redis
    .pipeline()
    .hget(keys.meta, 'userId')
    .xrange(keys.events, streamIdOf(afterSeq + 1), '+', 'COUNT', batchSize)
    .exec();
  const [[ownerError, owner], [rangeError, firstBatch]] = replies as [[Error | null, unknown], [Error | null, unknown]];
  if (ownerError ?? rangeError) throw ownerError ?? rangeError;
  if (owner === null) return;

  let lastSeq = afterSeq;
  let entries = firstBatch as StreamEntry[];
  for (;;) {
    for (const entry of entries) {
      const runEvent = runEventOf(runId, entry);
      if (!runEvent) return;
      lastSeq = runEvent.seq;
      yield runEvent;
      if (stopped()) return;
    }
    if (entries.length < batchSize) break;
    entries = (await context.redis.xrange(keys.events, streamIdOf(lastSeq + 1), '+', 'COUNT', batchSize)) as StreamEntry[];
  }
  if (stopped()) return;

  const connection = context.pool.acquire();
  let blocked = false;
  let reusable = true;
  const interrupt = () => {
    if (!blocked) return;
    reusable = false;
    connection.disconnect();
  };
  signal?.addEventListener('abort', interrupt);
  try {
    while (!stopped()) {
      blocked = true;
      const reply = (await connection.xread(
        'COUNT',
        batchSize,
        'BLOCK',
        context.blockMs,
        'STREAMS',
        keys.events,
        streamIdOf(lastSeq),
      )) as XreadReply;
      blocked = false;
      if (!reply) {
        if ((await context.redis.hexists(keys.meta, 'userId')) === 0) return;
        continue;
      }
      for (const entry of reply[0]?.[1] ?? []) {
        const runEvent = runEventOf(runId, entry);
        if (!runEvent) return;
        lastSeq = runEvent.seq;
        yield runEvent;
        if (stopped()) return;
      }
    }
  } catch (error) {
    reusable = false;
    // Closing the pool or aborting disconnects the connection; that rejection is the way out.
    if (stopped()) return;
    throw error;
  } finally {
    signal?.removeEventListener('abort', interrupt);
    context.pool.release(connection, reusable && !blocked);
  }
}
