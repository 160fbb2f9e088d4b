import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { readTestServices } from '../../src/config/load-config.ts';

const services = readTestServices();

/**
 * Whether the Redis suites run: with COLLOQUY_TEST_REDIS_URL set, always; in CI a missing URL is
 * an error, elsewhere a skip that says so in the output.
 */
export function redisSuite(): { url: string | undefined; skip: string | false } {
  if (!services.redisUrl && services.servicesRequired) {
    throw new Error('COLLOQUY_TEST_REDIS_URL is not set; CI must run the Redis suites');
  }
  const skip = services.redisUrl ? false : 'set COLLOQUY_TEST_REDIS_URL to run the Redis suites';
  if (skip) console.log(`# Redis suites skipped: ${skip}`);
  return { url: services.redisUrl, skip };
}

/** A key prefix of its own for one test run, so parallel runs do not meet and cleanup is exact. */
export const freshRedisPrefix = (label: string): string =>
  `colloquy-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;

export async function deleteRedisKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
