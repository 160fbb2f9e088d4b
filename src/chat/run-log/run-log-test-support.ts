import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { readTestServices } from '../../config/load-config.ts';
import { closeRedis, openRedis } from '../../storage/redis-connection.ts';
import type { ChatEvent } from '../chat-event.ts';
import type { RunEvent, RunLog } from '../run-log.ts';
import { createMemoryRunLog } from './memory-run-log.ts';
import { createRedisRunLog, type RedisRunLogOptions } from './redis-run-log.ts';

export const newRunId = () => `run-${randomUUID()}`;

export const textDelta = (text: string): ChatEvent => ({ type: 'text-delta', text });

export const pause = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** Resolves with the promise's value, or rejects once `milliseconds` pass, so a broken test fails instead of hanging. */
export async function within<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${milliseconds} ms`)), milliseconds);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const seen: RunEvent[] = [];
  for await (const runEvent of events) seen.push(runEvent);
  return seen;
}

export const seqsOf = (events: RunEvent[]) => events.map((runEvent) => runEvent.seq);

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** One implementation under test: `open` builds a log; `openOther` one that behaves as another server instance. */
export interface RunLogSubject {
  name: string;
  skip: false | string;
  open(options?: { retentionSeconds?: number }): Promise<RunLog>;
  openOther?(options?: { retentionSeconds?: number }): Promise<RunLog>;
  /** Closes what `open` built, and checks nothing was left behind. */
  cleanUp(): Promise<void>;
}

const services = readTestServices();
if (!services.redisUrl && services.servicesRequired) {
  throw new Error('COLLOQUY_TEST_REDIS_URL is not set; CI must run the Redis suites');
}
export const redisSkip = services.redisUrl ? false : 'set COLLOQUY_TEST_REDIS_URL to run the Redis suites';
if (redisSkip) console.log(`# Redis suites skipped: ${redisSkip}`);
export const redisTestUrl = services.redisUrl;

export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export function memorySubject(): RunLogSubject {
  const logs: RunLog[] = [];
  return {
    name: 'memory',
    skip: false,
    async open(options) {
      const log = createMemoryRunLog({ retentionSeconds: options?.retentionSeconds ?? 60 });
      logs.push(log);
      return log;
    },
    async cleanUp() {
      for (const log of logs.splice(0)) await log.close();
    },
  };
}

/**
 * Every log of one subject shares a key prefix unique to this test process, so two logs meet as
 * two server instances would, parallel runs never meet, and clean-up deletes exactly our keys.
 * Each log gets its own connection, as each instance would.
 */
export function redisSubject(overrides: Partial<RedisRunLogOptions> = {}): RunLogSubject {
  const keyPrefix = `colloquy-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
  const opened: Array<{ log: RunLog; redis: Redis }> = [];
  const open = async (options?: { retentionSeconds?: number }) => {
    const redis = openRedis(services.redisUrl!);
    const log = createRedisRunLog({ redis, keyPrefix, retentionSeconds: options?.retentionSeconds ?? 60, ...overrides });
    opened.push({ log, redis });
    return log;
  };
  return {
    name: 'redis',
    skip: redisSkip,
    open,
    openOther: open,
    async cleanUp() {
      for (const { log, redis } of opened.splice(0)) {
        await log.close();
        await closeRedis(redis);
      }
      const cleaner = openRedis(services.redisUrl!);
      try {
        await deleteKeysUnder(cleaner, keyPrefix);
        const left = await cleaner.keys(`${keyPrefix}*`);
        if (left.length > 0) throw new Error(`keys left behind: ${left.join(', ')}`);
      } finally {
        await closeRedis(cleaner);
      }
    },
  };
}
