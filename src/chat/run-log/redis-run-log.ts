import type { Redis } from 'ioredis';
import type { ChatEvent } from '../chat-event.ts';
import type { RunInfo, RunLog } from '../run-log.ts';
import { reportErrorAsWarning, type ReportError } from './report-error.ts';
import { createRedisReaderPool } from './redis-reader-pool.ts';
import { readRedisRun } from './redis-run-reader.ts';
import { endMarkerId, lastPossibleEventId, redisRunKeys, streamIdOf, type RedisRunKeys } from './redis-run-keys.ts';
import { createRedisStopChannel } from './redis-stop-channel.ts';
import { RunNotWritableError } from './run-not-writable-error.ts';

export interface RedisRunLogOptions {
  /** The shared command connection. The log duplicates it for blocking reads and pub/sub, and never closes it. */
  redis: Redis;
  keyPrefix: string;
  /** How long a finished run stays readable. */
  retentionSeconds: number;
  /** How long one XREAD blocks before the reader checks that its run still exists. */
  blockMs?: number;
  /** A run with no event for this long is taken for abandoned (its runner crashed) and expires. */
  abandonedRunSeconds?: number;
  /** Idle blocking-read connections kept for the next live reader. */
  idleReaderConnections?: number;
  /** Receives errors nobody awaits: stop subscriptions, expiry refreshes, throwing stop listeners. */
  reportError?: ReportError;
}

/** What this instance knows about a run it writes; appends are only accepted by the creating instance. */
interface RunWriter {
  keys: RedisRunKeys;
  lastSeq: number;
  /** The first failed write; every later append and the finish report it. */
  failure?: Error;
  expiryRefreshDueAt: number;
}

/** Creates the meta hash unless the run exists, and clears any stale stream left under the id. */
const createScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'userId', ARGV[1], 'finished', '0', 'stopRequested', '0')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** Flag and publish in one step, so a runner that subscribes later still finds the flag. */
/**
 * Ends a run from any instance: the event goes after the newest one, then the end marker. Atomic,
 * so it cannot interleave with a runner's writes; a runner still alive then fails its next write.
 */
const abandonScript = `
if redis.call('HGET', KEYS[1], 'finished') ~= '0' then return 0 end
local newest = redis.call('XREVRANGE', KEYS[2], '${lastPossibleEventId}', '-', 'COUNT', 1)
local seq = 0
if #newest > 0 then seq = tonumber(string.sub(newest[1][1], 3)) end
redis.call('XADD', KEYS[2], '0-' .. (seq + 1), 'event', ARGV[1])
redis.call('XADD', KEYS[2], '${endMarkerId}', 'end', '1')
redis.call('HSET', KEYS[1], 'finished', '1')
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;

const requestStopScript = `
if redis.call('HGET', KEYS[1], 'finished') ~= '0' then return 0 end
redis.call('HSET', KEYS[1], 'stopRequested', '1')
redis.call('PUBLISH', ARGV[1], '1')
return 1
`;

const nothing = () => undefined;

function throwFirstError(results: Array<[Error | null, unknown]> | null, what: string): unknown[] {
  if (!results) throw new Error(`${what}: Redis discarded the transaction`);
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}

/**
 * The run log of scaled-out mode, over Redis Streams. The instance that creates a run numbers
 * its events itself and sends each XADD without waiting for the previous one: commands on one
 * connection execute in the order they were sent, so order holds without a round trip per token.
 * A failed XADD is kept and reported by the next append and by finish, so a runner that does not
 * await every append neither loses the error nor leaves an unhandled rejection.
 */
export function createRedisRunLog(options: RedisRunLogOptions): RunLog {
  const { redis, keyPrefix } = options;
  const blockMs = options.blockMs ?? 5000;
  const abandonedRunSeconds = options.abandonedRunSeconds ?? 3600;
  // Refreshing often enough that a quiet but live run never comes close to expiring.
  const expiryRefreshMilliseconds = Math.min(60_000, (abandonedRunSeconds * 1000) / 4);
  const reportError = options.reportError ?? reportErrorAsWarning;
  const writers = new Map<string, RunWriter>();
  const pool = createRedisReaderPool(redis, options.idleReaderConnections ?? 4);
  const stopChannel = createRedisStopChannel({ redis, keyPrefix, reportError });
  let closed = false;
  const readerContext = { redis, pool, keyPrefix, blockMs, isClosed: () => closed };

  function openWriter(runId: string): RunWriter {
    const writer = closed ? undefined : writers.get(runId);
    if (writer) return writer;
    throw new RunNotWritableError(
      runId,
      closed ? 'the run log is closed' : 'this run log holds no open run with this id (not created here, or finished)',
    );
  }

  function refreshExpiry(writer: RunWriter): void {
    writer.expiryRefreshDueAt = Date.now() + expiryRefreshMilliseconds;
    redis.expire(writer.keys.events, abandonedRunSeconds).catch(reportError);
    redis.expire(writer.keys.meta, abandonedRunSeconds).catch(reportError);
  }

  return {
    async create(runId, userId) {
      if (closed) throw new Error('the run log is closed');
      const keys = redisRunKeys(keyPrefix, runId);
      const created = await redis.eval(createScript, 2, keys.meta, keys.events, userId, abandonedRunSeconds);
      if (created !== 1 || writers.has(runId)) throw new Error(`run ${runId} already exists in the run log`);
      writers.set(runId, { keys, lastSeq: 0, expiryRefreshDueAt: Date.now() + expiryRefreshMilliseconds });
    },

    append(runId: string, event: ChatEvent): Promise<void> {
      let writer: RunWriter;
      try {
        writer = openWriter(runId);
      } catch (error) {
        return Promise.reject(error);
      }
      if (writer.failure) return Promise.reject(writer.failure);
      writer.lastSeq += 1;
      const written = redis.xadd(writer.keys.events, streamIdOf(writer.lastSeq), 'event', JSON.stringify(event));
      // The first XADD creates the stream, which needs the same safety expiry as the meta hash.
      if (writer.lastSeq === 1 || Date.now() >= writer.expiryRefreshDueAt) refreshExpiry(writer);
      const outcome = written.then(nothing, (error: unknown) => {
        writer.failure ??= new Error(`appending to run ${runId} failed: ${(error as Error).message}`, { cause: error });
        throw writer.failure;
      });
      // Marks the rejection handled; a caller that awaits `outcome` still receives it.
      outcome.catch(nothing);
      return outcome;
    },

    async finish(runId) {
      const writer = openWriter(runId);
      writers.delete(runId);
      // Written even after a failed append, so readers still reach the end instead of waiting.
      const results = await redis
        .multi()
        .xadd(writer.keys.events, endMarkerId, 'end', '1')
        .hset(writer.keys.meta, 'finished', '1')
        .expire(writer.keys.events, options.retentionSeconds)
        .expire(writer.keys.meta, options.retentionSeconds)
        .exec();
      throwFirstError(results, `finishing run ${runId}`);
      if (writer.failure) throw writer.failure;
    },

    read(runId, afterSeq, signal) {
      return readRedisRun(readerContext, runId, afterSeq, signal);
    },

    async info(runId): Promise<RunInfo | undefined> {
      const keys = redisRunKeys(keyPrefix, runId);
      const [meta, newest] = throwFirstError(
        await redis.pipeline().hgetall(keys.meta).xrevrange(keys.events, lastPossibleEventId, '-', 'COUNT', 1).exec(),
        `reading run ${runId}`,
      ) as [Record<string, string>, Array<[string, string[]]>];
      if (meta.userId === undefined) return undefined;
      // Taken from the stream rather than kept in the hash, which would cost a second write per event.
      const newestId = newest[0]?.[0];
      return { userId: meta.userId, finished: meta.finished === '1', lastSeq: newestId ? Number(newestId.slice(2)) : 0 };
    },

    async abandon(runId, lastEvent) {
      const keys = redisRunKeys(keyPrefix, runId);
      const ended = await redis.eval(
        abandonScript, 2, keys.meta, keys.events, JSON.stringify(lastEvent), String(options.retentionSeconds),
      );
      // A runner that ends its own broken run this way writes no more; its writer goes with the run.
      if (ended === 1) writers.delete(runId);
      return ended === 1;
    },

    async requestStop(runId) {
      const keys = redisRunKeys(keyPrefix, runId);
      return (await redis.eval(requestStopScript, 1, keys.meta, keys.stopChannel)) === 1;
    },

    onStop(runId, listener) {
      return stopChannel.subscribe(runId, listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      writers.clear();
      await Promise.all([pool.close(), stopChannel.close()]);
    },
  };
}
