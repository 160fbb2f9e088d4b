import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { loadRedisDriver } from './scale-out-drivers.ts';

/**
 * One connection for everything that shares state through Redis. A command waits through at most
 * three reconnect attempts, so a request fails within seconds rather than hanging while Redis is
 * down.
 */
export function openRedis(url: string): Redis {
  const { Redis: RedisClient } = loadRedisDriver();
  return new RedisClient(url, { maxRetriesPerRequest: 3 });
}

const quitTimeoutMs = 2000;

/**
 * Ends the connection and waits until its socket is closed, so a stopped server or finished test
 * leaves no handle open. QUIT lets queued commands finish first; a connection that is not up, or
 * a server that does not answer in time, is dropped instead.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  const ended = once(redis, 'end');
  const timer = new AbortController();
  const timeout = sleep(quitTimeoutMs, false, { signal: timer.signal }).catch(() => false);
  const closedInTime = await Promise.race([redis.quit().then(() => ended).then(() => true), timeout]);
  timer.abort();
  if (!closedInTime) redis.disconnect();
}
